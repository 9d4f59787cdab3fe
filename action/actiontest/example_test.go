package actiontest_test

import (
	"context"
	"fmt"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/actiontest"
	"github.com/waauto/waauto/trigger"
)

// SendCatalogue sends the shop's catalogue picture: `send_catalogue: {caption: …}`.
type SendCatalogue struct {
	Caption string        `yaml:"caption"`
	shop    func() []byte // the dependency, given at registration
}

func (a *SendCatalogue) Run(ctx context.Context, c *action.Call) error {
	return c.Runtime.SendMedia(ctx, trigger.Media{Kind: trigger.MessageImage, FileName: "catalogue.png", Data: a.shop()}, a.Caption)
}

// A custom action with a dependency, registered in one call and unit-tested
// without an engine.
func Example() {
	reg := action.NewRegistry()
	reg.MustRegister("send_catalogue", action.Of(func(a *SendCatalogue) { a.shop = func() []byte { return []byte("PNG…") } }))

	a, err := actiontest.Build(reg, "send_catalogue", "{caption: Nouveautés}")
	rt := &actiontest.Runtime{}
	if err == nil {
		err = a.Run(context.Background(), actiontest.NewCall(rt, "le catalogue ?"))
	}
	fmt.Println(err, rt.Effects())
	// Output: <nil> [send_media image catalogue.png 6 bytes "Nouveautés"]
}
