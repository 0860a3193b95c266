// Package app is Freshet's composition root: it opens the storage backend
// the configuration names, builds the services, mounts the HTTP tree (the
// AWS APIs, /healthz, /readyz) and runs the lifecycle from start to a
// graceful shutdown.
//
// It may import every internal package; nothing imports it but cmd/freshet
// and end-to-end tests.
package app
