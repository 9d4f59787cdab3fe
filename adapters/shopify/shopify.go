// Package shopify implements ai.Catalog over the Shopify Admin REST API
// with net/http: active products with their variants, prices and stock,
// cursor pagination (Link header, page_info), 429 backoff honouring
// Retry-After, and a TTL cache so replies do not hit the shop each time.
package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/waauto/waauto/action/ai"
)

// Config configures a Catalog. The zero value of every field but
// ShopDomain (or BaseURL) and AccessToken is a usable default.
type Config struct {
	// ShopDomain is the shop's myshopify domain, e.g. "laine.myshopify.com".
	ShopDomain string
	// BaseURL overrides "https://"+ShopDomain (tests, proxies).
	BaseURL string
	// AccessToken is an Admin API token with read_products (and
	// read_inventory for stock); sent as X-Shopify-Access-Token.
	AccessToken string
	// APIVersion defaults to DefaultAPIVersion.
	APIVersion string
	// StorefrontURL is the base of product links; defaults to
	// "https://"+ShopDomain. Links are StorefrontURL+"/products/"+handle.
	StorefrontURL string
	// Currency is the shop's currency code; when empty it is read once from
	// /shop.json.
	Currency string
	// TTL is how long the product list is cached; default 10 minutes.
	TTL time.Duration
	// PageSize is the products per request (max 250, the default).
	PageSize int
	// MaxPages bounds the pages fetched; default 40 (10 000 products).
	MaxPages int
	// MaxRetries bounds the 429 retries of one request; default 3.
	MaxRetries int
	// MaxRetryWait caps one Retry-After wait; default 10 s.
	MaxRetryWait time.Duration
	// HTTPClient defaults to http.DefaultClient; deadlines come from ctx.
	HTTPClient *http.Client
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Now is the clock of the cache; defaults to time.Now.
	Now func() time.Time
}

// DefaultAPIVersion is the Admin API version used when Config.APIVersion is empty.
const DefaultAPIVersion = "2025-01"

// Errors of the catalogue.
var (
	ErrConfig       = errors.New("shopify: ShopDomain or BaseURL and AccessToken are required")
	ErrUnauthorized = errors.New("shopify: access token rejected")
	ErrRateLimited  = errors.New("shopify: still rate limited after retries")
)

// HTTPError is an unexpected response of the Admin API.
type HTTPError struct {
	Status int
	URL    string
	Body   string
}

// Error names the URL, the status and the body.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("shopify: %s: status %d: %s", e.URL, e.Status, e.Body)
}

// Catalog is an ai.Catalog over one shop. It is safe for concurrent use.
type Catalog struct {
	cfg Config
	log *slog.Logger

	fetchMu sync.Mutex // one refresh at a time
	mu      sync.Mutex
	cached  []ai.Product
	at      time.Time
}

var _ ai.Catalog = (*Catalog)(nil)

// New returns a Catalog for cfg.
func New(cfg Config) (*Catalog, error) {
	if (cfg.ShopDomain == "" && cfg.BaseURL == "") || cfg.AccessToken == "" {
		return nil, ErrConfig
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://" + cfg.ShopDomain
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.StorefrontURL == "" {
		cfg.StorefrontURL = cfg.BaseURL
	}
	cfg.StorefrontURL = strings.TrimSuffix(cfg.StorefrontURL, "/")
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 10 * time.Minute
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 250 {
		cfg.PageSize = 250
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 40
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = 10 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Catalog{cfg: cfg, log: log}, nil
}

// Products returns the active products, from the cache while it is fresh.
// When a refresh fails and an older list is cached, the older list is
// returned and the failure logged.
func (c *Catalog) Products(ctx context.Context) ([]ai.Product, error) {
	if ps, ok := c.fresh(); ok {
		return ps, nil
	}
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	if ps, ok := c.fresh(); ok { // refreshed while we waited
		return ps, nil
	}
	ps, err := c.fetch(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if c.cached != nil {
			c.log.LogAttrs(ctx, slog.LevelWarn, "shopify: refresh failed, serving the cached catalogue", slog.Any("error", err))
			return c.cached, nil
		}
		return nil, err
	}
	c.cached, c.at = ps, c.cfg.Now()
	return ps, nil
}

func (c *Catalog) fresh() ([]ai.Product, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached != nil && c.cfg.Now().Sub(c.at) < c.cfg.TTL {
		return c.cached, true
	}
	return nil, false
}

func (c *Catalog) fetch(ctx context.Context) ([]ai.Product, error) {
	currency := c.cfg.Currency
	if currency == "" {
		var shop struct {
			Shop struct {
				Currency string `json:"currency"`
			} `json:"shop"`
		}
		if _, err := c.get(ctx, c.api("shop.json", nil), &shop); err != nil {
			return nil, fmt.Errorf("shopify: shop currency: %w", err)
		}
		currency = shop.Shop.Currency
	}
	q := url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}, "status": {"active"},
		"fields": {"id,title,handle,body_html,variants"}}
	next := c.api("products.json", q)
	var out []ai.Product
	for page := 0; next != "" && page < c.cfg.MaxPages; page++ {
		var body struct {
			Products []product `json:"products"`
		}
		link, err := c.get(ctx, next, &body)
		if err != nil {
			return nil, fmt.Errorf("shopify: products page %d: %w", page+1, err)
		}
		for _, p := range body.Products {
			out = append(out, p.toAI(c.cfg.StorefrontURL, currency))
		}
		next = nextLink(link)
	}
	if next != "" {
		c.log.LogAttrs(ctx, slog.LevelWarn, "shopify: catalogue truncated", slog.Int("max_pages", c.cfg.MaxPages))
	}
	return out, nil
}

func (c *Catalog) api(path string, q url.Values) string {
	u := c.cfg.BaseURL + "/admin/api/" + c.cfg.APIVersion + "/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// get fetches u into v, retrying 429s after Retry-After, and returns the
// Link header.
func (c *Catalog) get(ctx context.Context, u string, v any) (string, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("X-Shopify-Access-Token", c.cfg.AccessToken)
		req.Header.Set("Accept", "application/json")
		resp, err := c.cfg.HTTPClient.Do(req)
		if err != nil {
			return "", err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			if err := json.Unmarshal(body, v); err != nil {
				return "", fmt.Errorf("decode %s: %w", u, err)
			}
			return resp.Header.Get("Link"), nil
		case resp.StatusCode == http.StatusTooManyRequests:
			if attempt >= c.cfg.MaxRetries {
				return "", ErrRateLimited
			}
			wait := retryAfter(resp.Header.Get("Retry-After"), c.cfg.MaxRetryWait)
			c.log.LogAttrs(ctx, slog.LevelInfo, "shopify: rate limited, waiting", slog.Duration("wait", wait))
			if err := sleep(ctx, wait); err != nil {
				return "", err
			}
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return "", fmt.Errorf("%w: %w", ErrUnauthorized, &HTTPError{resp.StatusCode, u, snippet(body)})
		default:
			return "", &HTTPError{resp.StatusCode, u, snippet(body)}
		}
	}
}

// retryAfter parses Shopify's Retry-After (seconds, possibly "2.0");
// missing or bad values wait one second.
func retryAfter(h string, max time.Duration) time.Duration {
	d := time.Second
	if s, err := strconv.ParseFloat(strings.TrimSpace(h), 64); err == nil && s >= 0 {
		d = time.Duration(s * float64(time.Second))
	}
	return min(d, max)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var linkPart = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="?([a-z]+)"?`)

// nextLink returns the rel="next" URL of a Link header, or "".
func nextLink(h string) string {
	for _, m := range linkPart.FindAllStringSubmatch(h, -1) {
		if m[2] == "next" {
			return m[1]
		}
	}
	return ""
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

type product struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	Handle   string    `json:"handle"`
	BodyHTML string    `json:"body_html"`
	Variants []variant `json:"variants"`
}

type variant struct {
	Title               string  `json:"title"`
	Price               string  `json:"price"`
	InventoryQuantity   int     `json:"inventory_quantity"`
	InventoryManagement *string `json:"inventory_management"`
	InventoryPolicy     string  `json:"inventory_policy"`
}

// available: stock not tracked, overselling allowed, or some left.
func (v variant) available() bool {
	return v.InventoryManagement == nil || *v.InventoryManagement == "" ||
		v.InventoryPolicy == "continue" || v.InventoryQuantity > 0
}

func (p product) toAI(storefront, currency string) ai.Product {
	out := ai.Product{ID: strconv.FormatInt(p.ID, 10), Title: p.Title, Description: plainText(p.BodyHTML, 300)}
	if p.Handle != "" {
		out.URL = storefront + "/products/" + p.Handle
	}
	for _, v := range p.Variants {
		out.Variants = append(out.Variants, ai.Variant{Title: v.Title, Price: v.Price, Currency: currency, Available: v.available()})
	}
	return out
}

var tags = regexp.MustCompile(`(?s)<[^>]*>`)

func plainText(h string, max int) string {
	s := strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(h, " "))), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
