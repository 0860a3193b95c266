// Package dispatch routes AWS JSON requests to operation handlers by their
// X-Amz-Target header, and AWS CBOR requests (Content-Type
// application/x-amz-cbor-1.1) to the CBOR handlers registered beside them.
// For every request it assigns a request ID, reads the SigV4 signature (and
// verifies it under --auth strict), puts the caller's account and region in
// the context, and renders errors exactly as AWS does, in the request's
// encoding. It knows no service: services register their handlers.
//
// It imports internal/protocol/{awscbor,awserr,awsjson,sigv4,request} and
// the standard library.
package dispatch
