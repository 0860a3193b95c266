package metrics

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Kind is a metric type.
type Kind int

// Metric types.
const (
	Counter Kind = iota
	Gauge
)

// Registry holds every series. It is safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

type family struct {
	name, help string
	kind       Kind
	series     map[string]*series
}

type series struct {
	labels string
	mu     sync.Mutex
	value  float64
}

// New returns an empty registry.
func New() *Registry { return &Registry{families: map[string]*family{}} }

// Add adds v to a counter.
func (r *Registry) Add(name, help string, labels []string, v float64) {
	s := r.series(name, help, Counter, labels)
	s.mu.Lock()
	s.value += v
	s.mu.Unlock()
}

// Set sets a gauge.
func (r *Registry) Set(name, help string, labels []string, v float64) {
	s := r.series(name, help, Gauge, labels)
	s.mu.Lock()
	s.value = v
	s.mu.Unlock()
}

// Value returns a series' current value (0 if it does not exist).
func (r *Registry) Value(name string, labels ...string) float64 {
	r.mu.Lock()
	f := r.families[name]
	r.mu.Unlock()
	if f == nil {
		return 0
	}
	r.mu.Lock()
	s := f.series[renderLabels(labels)]
	r.mu.Unlock()
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value
}

// labels are name, value pairs.
func (r *Registry) series(name, help string, kind Kind, labels []string) *series {
	key := renderLabels(labels)
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.families[name]
	if f == nil {
		f = &family{name: name, help: help, kind: kind, series: map[string]*series{}}
		r.families[name] = f
	}
	s := f.series[key]
	if s == nil {
		s = &series{labels: key}
		f.series[key] = s
	}
	return s
}

func renderLabels(labels []string) string {
	if len(labels) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(labels[i])
		b.WriteString(`="`)
		b.WriteString(escape(labels[i+1]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

func escape(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}

// WriteText writes every series in the Prometheus text format 0.0.4,
// families and series sorted.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	sort.Slice(fams, func(i, j int) bool { return fams[i].name < fams[j].name })
	for _, f := range fams {
		typ := "counter"
		if f.kind == Gauge {
			typ = "gauge"
		}
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, typ); err != nil {
			return err
		}
		r.mu.Lock()
		ss := make([]*series, 0, len(f.series))
		for _, s := range f.series {
			ss = append(ss, s)
		}
		r.mu.Unlock()
		sort.Slice(ss, func(i, j int) bool { return ss[i].labels < ss[j].labels })
		for _, s := range ss {
			s.mu.Lock()
			v := s.value
			s.mu.Unlock()
			if _, err := fmt.Fprintf(w, "%s%s %s\n", f.name, s.labels, formatValue(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

func formatValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Handler serves the registry at /metrics.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = r.WriteText(w)
	})
}

// PromName turns a CloudWatch metric name of a service into a Prometheus
// name: DeliveryToS3.Bytes of firehose is
// freshet_firehose_delivery_to_s3_bytes_total; a gauge in seconds
// (DataFreshness) ends in _seconds instead of _total.
func PromName(service, cloudwatch string, kind Kind) string {
	var b strings.Builder
	b.WriteString("freshet_")
	b.WriteString(service)
	b.WriteByte('_')
	prevLower := false
	for i, c := range cloudwatch {
		switch {
		case c == '.':
			b.WriteByte('_')
			prevLower = false
			continue
		case unicode.IsUpper(c):
			next := i+1 < len(cloudwatch) && unicode.IsLower(rune(cloudwatch[i+1]))
			if prevLower || (next && i > 0 && cloudwatch[i-1] != '.' && b.String()[b.Len()-1] != '_') {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			prevLower = false
			continue
		}
		b.WriteRune(c)
		prevLower = unicode.IsLower(c) || unicode.IsDigit(c)
	}
	name := b.String()
	if kind == Counter {
		return name + "_total"
	}
	return name
}
