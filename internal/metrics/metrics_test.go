package metrics

import (
	"strings"
	"testing"
)

func TestPromName(t *testing.T) {
	for cw, want := range map[string]string{
		"IncomingBytes":                     "freshet_firehose_incoming_bytes_total",
		"DeliveryToS3.Success":              "freshet_firehose_delivery_to_s3_success_total",
		"DeliveryToS3.ObjectCount":          "freshet_firehose_delivery_to_s3_object_count_total",
		"PutRecordBatch.Records":            "freshet_firehose_put_record_batch_records_total",
		"DeliveryToHttpEndpoint.Bytes":      "freshet_firehose_delivery_to_http_endpoint_bytes_total",
		"DataReadFromKinesisStream.Records": "freshet_firehose_data_read_from_kinesis_stream_records_total",
	} {
		if got := PromName("firehose", cw, Counter); got != want {
			t.Errorf("PromName(%s) = %s, want %s", cw, got, want)
		}
	}
	if got := PromName("firehose", "DeliveryToS3.DataFreshness", Gauge) + "_seconds"; got != "freshet_firehose_delivery_to_s3_data_freshness_seconds" {
		t.Errorf("gauge name %s", got)
	}
}

func TestExposition(t *testing.T) {
	r := New()
	r.Add("freshet_x_total", "X things.", []string{"delivery_stream", `a"b`}, 2)
	r.Add("freshet_x_total", "X things.", []string{"delivery_stream", `a"b`}, 3)
	r.Set("freshet_y_seconds", "Y age.", []string{"delivery_stream", "s"}, 1.5)
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "# HELP freshet_x_total X things.\n# TYPE freshet_x_total counter\nfreshet_x_total{delivery_stream=\"a\\\"b\"} 5\n" +
		"# HELP freshet_y_seconds Y age.\n# TYPE freshet_y_seconds gauge\nfreshet_y_seconds{delivery_stream=\"s\"} 1.5\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	if v := r.Value("freshet_x_total", "delivery_stream", `a"b`); v != 5 {
		t.Fatalf("Value = %v", v)
	}
}
