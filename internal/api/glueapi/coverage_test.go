package glueapi

import (
	"testing"

	"github.com/freshet/freshet/internal/api/coverage"
)

func TestCoverageDoc(t *testing.T) {
	var ops []string
	for op := range Operations {
		ops = append(ops, op)
	}
	coverage.Check(t, "../../../docs/coverage.md", "Glue Data Catalog", ops, Built())
}
