package shape

import (
	"regexp"
	"sync"
)

// Kind is the type of a shape, as botocore names it.
type Kind uint8

// The shape kinds of botocore models.
const (
	Structure Kind = iota + 1
	List
	Map
	String
	Integer
	Long
	Boolean
	Blob
	Timestamp
	Double
	Float
)

// Shape is one named shape of a service model.
type Shape struct {
	Name    string
	Kind    Kind
	Members []Member // Structure members, in model order
	Member  *Shape   // List element
	Key     *Shape   // Map key
	Value   *Shape   // Map value

	HasMin, HasMax bool
	Min, Max       int64 // length for strings, lists, maps and blobs; value for numbers

	Pattern string   // regular expression the whole string must match
	Enum    []string // allowed values of a string

	once sync.Once
	re   *regexp.Regexp
}

// Member is a member of a structure.
type Member struct {
	Name     string // wire name, e.g. "StreamName"
	Shape    *Shape
	Required bool
}

// Regexp returns the compiled pattern, anchored to the whole value, or nil.
func (s *Shape) Regexp() *regexp.Regexp {
	if s.Pattern == "" {
		return nil
	}
	s.once.Do(func() {
		s.re = regexp.MustCompile(`^(?:` + s.Pattern + `)$`)
	})
	return s.re
}

// Lookup returns the member named name, if any.
func (s *Shape) Lookup(name string) (*Member, bool) {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i], true
		}
	}
	return nil, false
}

// Operation is one operation of a service model.
type Operation struct {
	Name   string
	Input  *Shape // nil when the operation takes no input
	Output *Shape // nil when it returns nothing
}
