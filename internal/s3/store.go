package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// bucket is one bucket's index: every object by key, the keys sorted in
// UTF-8 binary order, and the multipart uploads in progress.
type bucket struct {
	name    string
	created int64 // unix ms
	objs    map[string]*object
	keys    []string
	uploads map[string]*upload
}

type bucketFile struct {
	Name    string `json:"name"`
	Created int64  `json:"created"`
}

func newBucket(name string, created int64) *bucket {
	return &bucket{name: name, created: created, objs: map[string]*object{}, uploads: map[string]*upload{}}
}

// put inserts or replaces an object in the index.
func (b *bucket) put(o *object) {
	if _, ok := b.objs[o.Key]; !ok {
		i := sort.SearchStrings(b.keys, o.Key)
		b.keys = append(b.keys, "")
		copy(b.keys[i+1:], b.keys[i:])
		b.keys[i] = o.Key
	}
	b.objs[o.Key] = o
}

func (b *bucket) remove(key string) {
	if _, ok := b.objs[key]; !ok {
		return
	}
	delete(b.objs, key)
	i := sort.SearchStrings(b.keys, key)
	if i < len(b.keys) && b.keys[i] == key {
		b.keys = append(b.keys[:i], b.keys[i+1:]...)
	}
}

// ensureLoaded runs Initialize once.
func (s *Service) ensureLoaded() error {
	s.mu.RLock()
	done := s.loaded
	s.mu.RUnlock()
	if done {
		return nil
	}
	return s.Initialize(context.Background())
}

// Initialize creates the data directory's layout and loads every bucket,
// object and multipart upload stored there into the index. Temporary files
// of requests that never finished are removed.
func (s *Service) Initialize(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded {
		return nil
	}
	if s.dir == "" {
		s.loaded = true
		return nil
	}
	tmp := filepath.Join(s.dir, "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("clear %s: %w", tmp, err)
	}
	if err := mkdirDurable(tmp); err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	root := filepath.Join(s.dir, "buckets")
	if err := mkdirDurable(root); err != nil {
		return fmt.Errorf("create %s: %w", root, err)
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("read %s: %w", root, err)
	}
	start := time.Now()
	n := 0
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !e.IsDir() {
			continue
		}
		b, err := s.loadBucket(e.Name())
		if err != nil {
			return err
		}
		if b == nil {
			// A bucket whose deletion was interrupted, or never finished creating.
			_ = os.RemoveAll(filepath.Join(root, e.Name()))
			continue
		}
		s.buckets[b.name] = b
		n += len(b.keys)
	}
	s.loaded = true
	s.log.Info("s3: loaded", "buckets", len(s.buckets), "objects", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (s *Service) loadBucket(name string) (*bucket, error) {
	dir := s.bucketDir(name)
	raw, err := os.ReadFile(filepath.Join(dir, "bucket.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read bucket %s: %w", name, err)
	}
	var bf bucketFile
	if err := json.Unmarshal(raw, &bf); err != nil || bf.Name != name {
		return nil, fmt.Errorf("bucket %s: bad bucket.json", name)
	}
	b := newBucket(name, bf.Created)
	fans, _ := os.ReadDir(filepath.Join(dir, "obj"))
	for _, fan := range fans {
		fdir := filepath.Join(dir, "obj", fan.Name())
		files, err := os.ReadDir(fdir)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", fdir, err)
		}
		for _, f := range files {
			path := filepath.Join(fdir, f.Name())
			m, err := readFooter(path)
			if err != nil || s.keyFile(name, m.Key) != path {
				s.log.Warn("s3: skipping unreadable object file", "bucket", name, "file", f.Name(), "err", err)
				continue
			}
			b.objs[m.Key] = &object{objMeta: *m}
			b.keys = append(b.keys, m.Key)
		}
	}
	sort.Strings(b.keys)
	if err := s.loadUploads(b); err != nil {
		return nil, err
	}
	return b, nil
}

// storeBucket makes a new bucket durable.
func (s *Service) storeBucket(b *bucket) error {
	if s.dir == "" {
		return nil
	}
	dir := s.bucketDir(b.name)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := mkdirDurable(filepath.Join(dir, "obj")); err != nil {
		return err
	}
	if err := mkdirDurable(filepath.Join(dir, "mpu")); err != nil {
		return err
	}
	js, _ := json.Marshal(bucketFile{Name: b.name, Created: b.created})
	return writeFileDurable(filepath.Join(dir, "bucket.json"), js)
}

// dropBucket removes a bucket's files: bucket.json first, so that an
// interrupted removal is finished by the next start.
func (s *Service) dropBucket(name string) error {
	if s.dir == "" {
		return nil
	}
	dir := s.bucketDir(name)
	if err := os.Remove(filepath.Join(dir, "bucket.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// bucketNames returns the bucket names, sorted.
func (s *Service) bucketNames() []*bucket {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*bucket, 0, len(s.buckets))
	for _, b := range s.buckets {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// hasPrefixBlockEnd returns the index of the first key at or after i that
// does not start with p (keys sorted, keys[i:] start at or after p).
func blockEnd(keys []string, i int, p string) int {
	return i + sort.Search(len(keys)-i, func(j int) bool {
		k := keys[i+j]
		return k > p && !strings.HasPrefix(k, p)
	})
}
