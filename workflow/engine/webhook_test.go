package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/waauto/waauto/workflow"
)

// The HTTP poster sends the delivery's idempotency key and signature.
func TestHTTPWebhooksSendTheIdempotencyKey(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	d := workflow.WebhookDelivery{URL: srv.URL, Secret: "s", Body: []byte(`{}`), IdempotencyKey: "f1/0"}
	if err := (&httpWebhooks{Client: srv.Client()}).Post(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if k := got.Get(workflow.IdempotencyHeader); k != "f1/0" {
		t.Errorf("%s = %q, want f1/0", workflow.IdempotencyHeader, k)
	}
	if s := got.Get(workflow.SignatureHeader); s != workflow.Sign("s", d.Body) {
		t.Errorf("%s = %q, want the body's signature", workflow.SignatureHeader, s)
	}
}
