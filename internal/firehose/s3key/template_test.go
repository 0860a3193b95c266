package s3key

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// docsInstant is the evaluation time of the documentation's example table:
// 10:30 AM UTC on Aug 27, 2018.
var docsInstant = time.Date(2018, 8, 27, 10, 30, 0, 0, time.UTC)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not available: %v", name, err)
	}
	return loc
}

func fixedRandom(vals ...string) func() string {
	i := 0
	return func() string {
		v := vals[i%len(vals)]
		i++
		return v
	}
}

func TestEvalPrefix(t *testing.T) {
	tokyo := mustLoc(t, "Asia/Tokyo")
	newYork := mustLoc(t, "America/New_York")
	tests := []struct {
		name   string
		prefix string
		in     Input
		want   string
	}{
		// The documentation's examples ("Custom Prefixes for Amazon S3
		// Objects", "Example prefixes"). The table evaluates its examples at
		// several instants although its caption names one; each case uses the
		// instant its documented output shows.
		{"docs: unspecified prefix", "", Input{Arrival: docsInstant}, "2018/08/27/10/"},
		{"docs: folder prefix", "myPrefix/", Input{Arrival: docsInstant}, "myPrefix/2018/08/27/10/"},
		{"docs: year and random string",
			"myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}",
			Input{Arrival: docsInstant, Random: fixedRandom("5abf82daaa5")},
			"myFirehose/DeliveredYear=2018/anyMonth/rand=5abf82daaa5"},
		{"docs: hive-style fields",
			"myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
			Input{Arrival: time.Date(2018, 7, 6, 23, 0, 0, 0, time.UTC)},
			"myPrefix/year=2018/month=07/day=06/hour=23/"},
		{"docs: quoted literals in one pattern",
			"ExampleFirehose/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/",
			Input{Arrival: docsInstant},
			"ExampleFirehose/year=2018/month=08/day=27/hour=10/"},
		{"docs: random string example", "myPrefix/!{firehose:random-string}/",
			Input{Arrival: docsInstant, Random: fixedRandom("046b6c7f-0b")},
			"myPrefix/046b6c7f-0b/2018/08/27/10/"},
		// No timestamp expression: the default is appended by plain
		// concatenation, no slash inserted.
		{"plain concatenation", "logs", Input{Arrival: time.Date(2026, 7, 13, 14, 5, 0, 0, time.UTC)}, "logs2026/07/13/14/"},
		{"trailing slash kept", "logs/", Input{Arrival: time.Date(2026, 7, 13, 14, 5, 0, 0, time.UTC)}, "logs/2026/07/13/14/"},
		// CustomTimeZone applies to the prefix.
		{"custom time zone default prefix", "", Input{Arrival: docsInstant, Location: tokyo}, "2018/08/27/19/"},
		{"custom time zone crosses midnight", "d=!{timestamp:yyyy-MM-dd}/h=!{timestamp:HH}/",
			Input{Arrival: time.Date(2018, 8, 27, 20, 30, 0, 0, time.UTC), Location: tokyo}, "d=2018-08-28/h=05/"},
		{"custom time zone daylight saving", "!{timestamp:yyyy/MM/dd/HH}/",
			Input{Arrival: time.Date(2018, 7, 1, 3, 0, 0, 0, time.UTC), Location: newYork}, "2018/06/30/23/"},
		{"arrival given in another zone is converted to UTC", "",
			Input{Arrival: time.Date(2018, 8, 27, 19, 30, 0, 0, tokyo)}, "2018/08/27/10/"},
		// Every timestamp of one key is the same instant.
		{"one instant for all timestamps", "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/!{timestamp:mm}/!{timestamp:ss}/",
			Input{Arrival: time.Date(2018, 12, 31, 23, 59, 59, 999999999, time.UTC)}, "2018/12/31/23/59/59/"},
		// Partition keys.
		{"query and lambda keys",
			"customer_id=!{partitionKeyFromQuery:customer_id}/device=!{partitionKeyFromLambda:device}/!{timestamp:yyyy}/",
			Input{Arrival: docsInstant, QueryKeys: map[string]string{"customer_id": "1234567890"}, LambdaKeys: map[string]string{"device": "mobile"}},
			"customer_id=1234567890/device=mobile/2018/"},
		{"partition key without timestamp gets default", "c=!{partitionKeyFromQuery:c}/",
			Input{Arrival: docsInstant, QueryKeys: map[string]string{"c": "x"}}, "c=x/2018/08/27/10/"},
		{"empty key value", "c=!{partitionKeyFromQuery:c}/!{timestamp:yyyy}",
			Input{Arrival: docsInstant, QueryKeys: map[string]string{"c": ""}}, "c=/2018"},
		// Characters outside expressions are literal, including a lone brace.
		{"literal characters", "a-b_c.d=e}f/", Input{Arrival: docsInstant}, "a-b_c.d=e}f/2018/08/27/10/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Compile(tc.prefix)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tc.prefix, err)
			}
			got, err := tpl.Eval(tc.in)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if got != tc.want {
				t.Errorf("Eval(%q) = %q, want %q", tc.prefix, got, tc.want)
			}
		})
	}
}

func TestEvalErrorPrefix(t *testing.T) {
	tests := []struct {
		name, prefix, errorPrefix string
		at                        time.Time
		want                      string
	}{
		{"docs: error type only, no time appended", "", "myFirehoseFailures/!{firehose:error-output-type}/", docsInstant,
			"myFirehoseFailures/processing-failed/"},
		{"docs: error type with timestamps", "",
			"myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}",
			time.Date(2018, 8, 10, 0, 0, 0, 0, time.UTC), "myFirehoseFailures/processing-failed/2018/anyMonth/10"},
		{"docs: quoted pattern then error type", "",
			"myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}",
			time.Date(2018, 7, 6, 23, 0, 0, 0, time.UTC), "myErrorPrefix/year=2018/month=07/day=06/hour=23/processing-failed"},
		// No ErrorOutputPrefix: <Prefix><error-output-type>/yyyy/MM/dd/HH/.
		{"docs: folder prefix without error prefix", "myFirehosePrefix/", "", docsInstant,
			"myFirehosePrefix/processing-failed/2018/08/27/10/"},
		{"plain prefix without error prefix", "myFirehosePrefix", "", docsInstant,
			"myFirehosePrefixprocessing-failed/2018/08/27/10/"},
		{"no prefixes at all", "", "", docsInstant, "processing-failed/2018/08/27/10/"},
		{"literal error prefix gets default time", "", "errors/", docsInstant, "errors/2018/08/27/10/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := CompileErrorPrefix(tc.prefix, tc.errorPrefix)
			if err != nil {
				t.Fatalf("CompileErrorPrefix: %v", err)
			}
			got, err := tpl.Eval(Input{Arrival: tc.at, ErrorOutputType: "processing-failed"})
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRandomStringPerOccurrence(t *testing.T) {
	tpl, err := Compile("!{firehose:random-string}/!{firehose:random-string}/!{timestamp:yyyy}")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{2})/([0-9a-f]{8}-[0-9a-f]{2})/2018$`)
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		got, err := tpl.Eval(Input{Arrival: docsInstant})
		if err != nil {
			t.Fatal(err)
		}
		m := re.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("%q does not match %s", got, re)
		}
		seen[m[1]] = true
		seen[m[2]] = true
	}
	// 100 draws of 40 random bits: a repeat would mean the generator is broken.
	if len(seen) != 100 {
		t.Errorf("%d distinct random strings in 100 occurrences", len(seen))
	}
}

func TestEvalErrors(t *testing.T) {
	long := strings.Repeat("a", 498) // + "2018/08/27/10/" (14) = 512
	tpl, err := Compile(long)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Eval(Input{Arrival: docsInstant})
	if err != nil || len(got) != 512 {
		t.Fatalf("512 characters: %d, %v", len(got), err)
	}
	tpl, err = Compile(long + "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Eval(Input{Arrival: docsInstant}); !errors.Is(err, ErrTooLong) {
		t.Errorf("513 characters: err = %v, want ErrTooLong", err)
	}
	// Characters, not bytes: 512 two-byte characters fit.
	tpl, err = Compile(strings.Repeat("é", 498))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Eval(Input{Arrival: docsInstant}); err != nil {
		t.Errorf("512 two-byte characters: %v", err)
	}
	// A partition key whose value makes the prefix too long.
	tpl, err = Compile("k=!{partitionKeyFromQuery:k}/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Eval(Input{Arrival: docsInstant, QueryKeys: map[string]string{"k": strings.Repeat("v", 600)}}); !errors.Is(err, ErrTooLong) {
		t.Errorf("long key value: err = %v, want ErrTooLong", err)
	}
	if _, err := tpl.Eval(Input{Arrival: docsInstant, LambdaKeys: map[string]string{"k": "v"}}); !errors.Is(err, ErrMissingPartitionKey) {
		t.Errorf("query key given as lambda key: err = %v, want ErrMissingPartitionKey", err)
	}
	tpl, err = CompileErrorPrefix("", "e/!{firehose:error-output-type}/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Eval(Input{Arrival: docsInstant}); !errors.Is(err, ErrNoErrorOutputType) {
		t.Errorf("no error type: err = %v, want ErrNoErrorOutputType", err)
	}
}

func TestTemplateIntrospection(t *testing.T) {
	tpl, err := Compile("a=!{partitionKeyFromQuery:a}/b=!{partitionKeyFromLambda:b}/c=!{partitionKeyFromQuery:c}/")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tpl.QueryKeys(), ","); got != "a,c" {
		t.Errorf("QueryKeys = %s", got)
	}
	if got := strings.Join(tpl.LambdaKeys(), ","); got != "b" {
		t.Errorf("LambdaKeys = %s", got)
	}
	if !tpl.HasExpressions() || tpl.UsesErrorOutputType() {
		t.Errorf("HasExpressions %v UsesErrorOutputType %v", tpl.HasExpressions(), tpl.UsesErrorOutputType())
	}
	plain, err := Compile("logs/")
	if err != nil {
		t.Fatal(err)
	}
	if plain.HasExpressions() {
		t.Error("a literal prefix reports expressions (the appended default must not count)")
	}
}

func TestObjectName(t *testing.T) {
	tokyo := mustLoc(t, "Asia/Tokyo")
	id := "4f1c2b9e-7a53-4c1e-9d7b-2a0c1e5f8b31"
	tests := []struct {
		name    string
		stream  string
		version int
		at      time.Time
		loc     *time.Location
		ext     string
		want    string
	}{
		{"utc no extension", "my-stream", 1, time.Date(2026, 7, 13, 14, 5, 9, 0, time.UTC), nil, "",
			"my-stream-1-2026-07-13-14-05-09-" + id},
		{"gzip extension", "s", 12, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), nil, ".gz",
			"s-12-2026-01-02-03-04-05-" + id + ".gz"},
		{"custom time zone", "s", 3, time.Date(2018, 8, 27, 20, 30, 0, 0, time.UTC), tokyo, ".snappy",
			"s-3-2018-08-28-05-30-00-" + id + ".snappy"},
		{"file extension override", "s", 1, time.Date(2026, 7, 13, 14, 5, 9, 0, time.UTC), nil, ".json.gz",
			"s-1-2026-07-13-14-05-09-" + id + ".json.gz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ObjectName(tc.stream, tc.version, tc.at, tc.loc, id, tc.ext)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestKeyEndToEnd(t *testing.T) {
	tpl, err := Compile("logs/")
	if err != nil {
		t.Fatal(err)
	}
	arrival := time.Date(2026, 7, 13, 14, 59, 58, 0, time.UTC)
	written := arrival.Add(5 * time.Second) // next hour: prefix uses arrival, suffix write time
	prefix, err := tpl.Eval(Input{Arrival: arrival})
	if err != nil {
		t.Fatal(err)
	}
	key := prefix + ObjectName("orders", 2, written, nil, "0b5d2c7a-1e3f-4a6b-8c9d-0e1f2a3b4c5d", ".gz")
	want := "logs/2026/07/13/14/orders-2-2026-07-13-15-00-03-0b5d2c7a-1e3f-4a6b-8c9d-0e1f2a3b4c5d.gz"
	if key != want {
		t.Errorf("key = %q, want %q", key, want)
	}
}
