// Package dispatch routes AWS JSON requests to operation handlers by their
// X-Amz-Target header. For every request it assigns a request ID, reads the
// SigV4 signature (and verifies it under --auth strict), puts the caller's
// account and region in the context, and renders errors exactly as AWS
// does. It knows no service: services register their handlers.
//
// It imports internal/protocol/{awserr,awsjson,sigv4,request} and the
// standard library.
package dispatch
