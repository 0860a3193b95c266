// Package request carries who is calling into a service: the account,
// region and access key from the request's signature, and the request ID.
// The dispatcher puts an Info in the context; services read it. It imports
// only the standard library.
package request

import "context"

// Info describes the caller of one API request.
type Info struct {
	RequestID   string
	AccessKeyID string
	Account     string // 12-digit account ID
	Region      string // region from the signature's scope, else the server's
}

type ctxKey struct{}

// NewContext returns ctx carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// FromContext returns the Info in ctx, or a zero Info.
func FromContext(ctx context.Context) *Info {
	if info, ok := ctx.Value(ctxKey{}).(*Info); ok {
		return info
	}
	return &Info{}
}
