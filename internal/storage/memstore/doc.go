// Package memstore is the in-memory storage.Backend: metadata in a map and
// one slice of records per log, each behind its own RWMutex. Nothing
// survives Close. It backs tests and the --storage=memory mode, where speed
// matters more than durability.
//
// It imports only internal/storage and the standard library.
package memstore
