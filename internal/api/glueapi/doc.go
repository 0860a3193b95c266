// Package glueapi is the part of the AWS Glue Data Catalog API that Freshet
// serves, as Go: the request and response types and shape tables generated
// from botocore's glue/2017-03-31 model for the built operations only
// (types_gen.go, shapes_gen.go), the API interface internal/glue
// implements, and Register, which binds each operation to the AWS JSON 1.1
// codec and the dispatcher. Every other operation of the model answers
// UnknownOperationException.
//
// Firehose's record format conversion reads table schemas through this API
// (GetTable, GetTableVersion) with aws-sdk-go-v2/service/glue.
//
// It may import internal/protocol/*. It knows no storage and no domain logic.
package glueapi

//go:generate go run ../gen -service glue/2017-03-31 -pkg glueapi -out . -ops CreateDatabase,GetDatabase,GetDatabases,UpdateDatabase,DeleteDatabase,CreateTable,GetTable,GetTables,UpdateTable,DeleteTable,BatchDeleteTable,GetTableVersion,GetTableVersions,DeleteTableVersion
