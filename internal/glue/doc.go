// Package glue is the Glue Data Catalog subset Firehose's record format
// conversion needs: databases, tables and table versions, kept as JSON
// documents in a storage.MetaStore under "glue/<catalog>/<region>/...".
// Service implements glueapi.API; one file per resource (databases.go,
// tables.go, versions.go).
//
// Names are folded to lower case when stored and looked up, as Glue does
// for Hive compatibility. CatalogId defaults to the caller's account.
//
// It may import internal/api/glueapi (the API's types), internal/storage,
// internal/protocol/awserr and internal/protocol/request. It never imports a
// wire codec or another service.
package glue
