// Package storagetest is the one conformance suite every storage backend
// passes. A backend's test calls Run with a Factory that opens it; Run then
// checks the metadata store (revisions, compare-and-set, listing), the log
// store (offsets, limits, trimming, the time index, concurrent appenders
// and readers, cancellation, closing) and, for durable backends, that
// everything survives Close and reopen, trim horizons and next offsets
// included.
//
// It imports only internal/storage and the standard library.
package storagetest
