package shopify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/adapters/shopify"
)

// fakeShop speaks the Admin REST API: two pages of products linked by a
// page_info cursor, a 429 on the first request of page 2, and /shop.json.
type fakeShop struct {
	mu       sync.Mutex
	requests []string
	limited  bool
}

func (f *fakeShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
	f.mu.Unlock()
	if r.Header.Get("X-Shopify-Access-Token") != "shpat_test" {
		http.Error(w, `{"errors":"[API] Invalid API key or access token"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/admin/api/2025-01/shop.json":
		fmt.Fprint(w, `{"shop":{"id":1,"name":"Laine","currency":"EUR"}}`)
	case "/admin/api/2025-01/products.json":
		switch r.URL.Query().Get("page_info") {
		case "":
			if r.URL.Query().Get("status") != "active" || r.URL.Query().Get("limit") != "2" {
				http.Error(w, "bad query "+r.URL.RawQuery, http.StatusBadRequest)
				return
			}
			w.Header().Set("Link", fmt.Sprintf(`<http://%s/admin/api/2025-01/products.json?limit=2&page_info=abc>; rel="next"`, r.Host))
			fmt.Fprint(w, `{"products":[
			 {"id":11,"title":"Pull rouge","handle":"pull-rouge","body_html":"<p>Laine <b>mérinos</b> &amp; coton</p>","variants":[
			   {"title":"M","price":"39.90","inventory_quantity":3,"inventory_management":"shopify","inventory_policy":"deny"},
			   {"title":"L","price":"39.90","inventory_quantity":0,"inventory_management":"shopify","inventory_policy":"deny"}]},
			 {"id":12,"title":"Bonnet","handle":"bonnet","variants":[{"title":"Default Title","price":"15.00","inventory_quantity":0,"inventory_management":null,"inventory_policy":"deny"}]}]}`)
		case "abc":
			f.mu.Lock()
			first := !f.limited
			f.limited = true
			f.mu.Unlock()
			if first {
				w.Header().Set("Retry-After", "0.01")
				http.Error(w, `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`, http.StatusTooManyRequests)
				return
			}
			w.Header().Set("Link", fmt.Sprintf(`<http://%s/admin/api/2025-01/products.json?limit=2&page_info=xyz>; rel="previous"`, r.Host))
			fmt.Fprint(w, `{"products":[{"id":13,"title":"Écharpe","handle":"echarpe","variants":[{"title":"Default Title","price":"25.00","inventory_quantity":0,"inventory_management":"shopify","inventory_policy":"continue"}]}]}`)
		default:
			http.Error(w, "unknown cursor", http.StatusBadRequest)
		}
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeShop) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestProductsPaginationRateLimitAndCache(t *testing.T) {
	shop := &fakeShop{}
	srv := httptest.NewServer(shop)
	defer srv.Close()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cat, err := shopify.New(shopify.Config{BaseURL: srv.URL, AccessToken: "shpat_test", StorefrontURL: "https://laine.example",
		PageSize: 2, TTL: time.Minute, HTTPClient: srv.Client(), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := cat.Products(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []ai.Product{
		{ID: "11", Title: "Pull rouge", URL: "https://laine.example/products/pull-rouge", Description: "Laine mérinos & coton",
			Variants: []ai.Variant{{Title: "M", Price: "39.90", Currency: "EUR", Available: true}, {Title: "L", Price: "39.90", Currency: "EUR", Available: false}}},
		{ID: "12", Title: "Bonnet", URL: "https://laine.example/products/bonnet",
			Variants: []ai.Variant{{Title: "Default Title", Price: "15.00", Currency: "EUR", Available: true}}},
		{ID: "13", Title: "Écharpe", URL: "https://laine.example/products/echarpe",
			Variants: []ai.Variant{{Title: "Default Title", Price: "25.00", Currency: "EUR", Available: true}}},
	}
	if fmt.Sprint(ps) != fmt.Sprint(want) {
		t.Fatalf("products\n got %+v\nwant %+v", ps, want)
	}
	// shop.json, page 1, page 2 (429), page 2 again.
	if n := shop.count(); n != 4 {
		t.Fatalf("%d requests: %v", n, shop.requests)
	}
	if _, err := cat.Products(context.Background()); err != nil || shop.count() != 4 {
		t.Errorf("a fresh cache must not hit the shop (err %v, %d requests)", err, shop.count())
	}
	clk.t = clk.t.Add(2 * time.Minute)
	if _, err := cat.Products(context.Background()); err != nil || shop.count() != 7 {
		t.Errorf("an expired cache must refetch (err %v, %d requests)", err, shop.count())
	}
}

func TestUnauthorizedAndStaleFallback(t *testing.T) {
	shop := &fakeShop{}
	srv := httptest.NewServer(shop)
	defer srv.Close()
	bad, _ := shopify.New(shopify.Config{BaseURL: srv.URL, AccessToken: "wrong", Currency: "EUR", HTTPClient: srv.Client()})
	_, err := bad.Products(context.Background())
	var he *shopify.HTTPError
	if !errors.Is(err, shopify.ErrUnauthorized) || !errors.As(err, &he) || he.Status != 401 {
		t.Fatalf("err = %v", err)
	}

	clk := &clock{t: time.Now()}
	good, _ := shopify.New(shopify.Config{BaseURL: srv.URL, AccessToken: "shpat_test", Currency: "EUR", PageSize: 2, HTTPClient: srv.Client(), Now: clk.now})
	first, err := good.Products(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srv.Close() // the shop goes away
	clk.t = clk.t.Add(time.Hour)
	again, err := good.Products(context.Background())
	if err != nil || len(again) != len(first) {
		t.Errorf("stale catalogue not served: %d products, err %v", len(again), err)
	}
}

func TestRateLimitExhaustedAndDeadline(t *testing.T) {
	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	cat, _ := shopify.New(shopify.Config{BaseURL: srv.URL, AccessToken: "t", Currency: "EUR", MaxRetries: 2, HTTPClient: srv.Client()})
	if _, err := cat.Products(context.Background()); !errors.Is(err, shopify.ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	if calls != 3 {
		t.Errorf("%d calls, want 1 + 2 retries", calls)
	}

	slow, _ := shopify.New(shopify.Config{BaseURL: srv.URL, AccessToken: "t", Currency: "EUR", MaxRetries: 5, MaxRetryWait: time.Hour, HTTPClient: srv.Client()})
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := slow.Products(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a Retry-After past the deadline must give up with the ctx error, got %v", err)
	}
}

func TestConfigRequired(t *testing.T) {
	if _, err := shopify.New(shopify.Config{ShopDomain: "x.myshopify.com"}); !errors.Is(err, shopify.ErrConfig) {
		t.Errorf("err = %v", err)
	}
}
