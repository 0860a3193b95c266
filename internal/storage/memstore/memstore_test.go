package memstore_test

import (
	"testing"

	"github.com/freshet/freshet/internal/storage"
	"github.com/freshet/freshet/internal/storage/memstore"
	"github.com/freshet/freshet/internal/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, storagetest.Factory{
		Open: func(t *testing.T, dir string) storage.Backend { return memstore.New() },
	})
}
