package kinesisapi

import (
	"testing"

	"github.com/freshet/freshet/internal/api/coverage"
)

// TestCoverageDoc keeps docs/coverage.md true: every operation of the model
// is listed once, as built exactly when Register serves it.
func TestCoverageDoc(t *testing.T) {
	var ops []string
	for op := range Operations {
		ops = append(ops, op)
	}
	if len(ops) != 39 {
		t.Errorf("the model has %d operations, the issue expects 39", len(ops))
	}
	coverage.Check(t, "../../../docs/coverage.md", "Kinesis Data Streams", ops, Built())
}
