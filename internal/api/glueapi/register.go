package glueapi

import (
	"context"
	"sort"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/awsjson"
	"github.com/freshet/freshet/internal/protocol/dispatch"
	"github.com/freshet/freshet/internal/protocol/shape"
)

// Register binds every operation of the Glue model to mux in AWS JSON: the
// built ones to api, the rest to AWS's UnknownOperationException.
func Register(mux *dispatch.Mux, api API) {
	for name := range Operations {
		h := notBuilt(name)
		if build, ok := builders[name]; ok {
			h = build(api)
		}
		mux.Handle(TargetPrefix+"."+name, h)
	}
}

// builders binds each built operation to its API method.
var builders = map[string]func(API) dispatch.Handler{
	"CreateDatabase":     func(a API) dispatch.Handler { return op(shapeCreateDatabaseRequest, a.CreateDatabase) },
	"GetDatabase":        func(a API) dispatch.Handler { return op(shapeGetDatabaseRequest, a.GetDatabase) },
	"GetDatabases":       func(a API) dispatch.Handler { return op(shapeGetDatabasesRequest, a.GetDatabases) },
	"UpdateDatabase":     func(a API) dispatch.Handler { return op(shapeUpdateDatabaseRequest, a.UpdateDatabase) },
	"DeleteDatabase":     func(a API) dispatch.Handler { return op(shapeDeleteDatabaseRequest, a.DeleteDatabase) },
	"CreateTable":        func(a API) dispatch.Handler { return op(shapeCreateTableRequest, a.CreateTable) },
	"GetTable":           func(a API) dispatch.Handler { return op(shapeGetTableRequest, a.GetTable) },
	"GetTables":          func(a API) dispatch.Handler { return op(shapeGetTablesRequest, a.GetTables) },
	"UpdateTable":        func(a API) dispatch.Handler { return op(shapeUpdateTableRequest, a.UpdateTable) },
	"DeleteTable":        func(a API) dispatch.Handler { return op(shapeDeleteTableRequest, a.DeleteTable) },
	"BatchDeleteTable":   func(a API) dispatch.Handler { return op(shapeBatchDeleteTableRequest, a.BatchDeleteTable) },
	"GetTableVersion":    func(a API) dispatch.Handler { return op(shapeGetTableVersionRequest, a.GetTableVersion) },
	"GetTableVersions":   func(a API) dispatch.Handler { return op(shapeGetTableVersionsRequest, a.GetTableVersions) },
	"DeleteTableVersion": func(a API) dispatch.Handler { return op(shapeDeleteTableVersionRequest, a.DeleteTableVersion) },
}

// Built lists the operations Register serves, sorted.
func Built() []string {
	names := make([]string, 0, len(builders))
	for name := range builders {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// op adapts a typed API method to a dispatch.Handler through the generic
// AWS JSON codec: parse, validate against the model, bind, call, marshal.
func op[In, Out any](in *shape.Shape, f func(context.Context, *In) (*Out, error)) dispatch.Handler {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		req := new(In)
		if err := awsjson.Decode(body, in, req); err != nil {
			return nil, err
		}
		out, err := f(ctx, req)
		if err != nil {
			return nil, err
		}
		return awsjson.Marshal(out)
	}
}

func notBuilt(name string) dispatch.Handler {
	return func(context.Context, []byte) ([]byte, error) {
		return nil, awserr.NotBuilt(name)
	}
}
