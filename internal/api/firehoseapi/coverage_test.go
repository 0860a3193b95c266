package firehoseapi

import (
	"testing"

	"github.com/freshet/freshet/internal/api/coverage"
)

func TestCoverageDoc(t *testing.T) {
	var ops []string
	for op := range Operations {
		ops = append(ops, op)
	}
	if len(ops) != 12 {
		t.Errorf("the model has %d operations, the issue expects 12", len(ops))
	}
	coverage.Check(t, "../../../docs/coverage.md", "Data Firehose", ops, Built())
}
