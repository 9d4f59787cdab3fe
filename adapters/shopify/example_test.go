package shopify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/waauto/waauto/adapters/shopify"
)

func ExampleNew() {
	// A stand-in for https://laine.myshopify.com.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"products":[{"id":1,"title":"Pull rouge","handle":"pull-rouge","variants":[
		  {"title":"M","price":"39.90","inventory_quantity":2,"inventory_management":"shopify","inventory_policy":"deny"}]}]}`)
	}))
	defer srv.Close()

	cat, err := shopify.New(shopify.Config{
		BaseURL:       srv.URL, // production: ShopDomain: "laine.myshopify.com"
		AccessToken:   "shpat_…",
		Currency:      "EUR", // empty: read from /shop.json
		StorefrontURL: "https://laine.example",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	products, err := cat.Products(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range products {
		v := p.Variants[0]
		fmt.Println(p.Title, v.Title, v.Price, v.Currency, v.Available, p.URL)
	}
	// Output:
	// Pull rouge M 39.90 EUR true https://laine.example/products/pull-rouge
}
