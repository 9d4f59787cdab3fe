package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	otelapi "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/waauto/waauto/adapters/otel"
	"github.com/waauto/waauto/workflow/engine"
)

// newTracing returns the engine's OpenTelemetry tracer, configured by the
// standard environment variables, and the shutdown that flushes its
// spans; nil and nil when tracing is off. It is on when
// OTEL_TRACES_EXPORTER is otlp, or unset while an OTLP endpoint is
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); off
// with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true. The OTLP/HTTP
// exporter reads its own settings (endpoint, headers, timeout,
// compression, certificates), the SDK its sampler (OTEL_TRACES_SAMPLER)
// and batching (OTEL_BSP_*), the resource OTEL_SERVICE_NAME (default
// waauto) and OTEL_RESOURCE_ATTRIBUTES.
func newTracing(ctx context.Context, log *slog.Logger) (engine.Tracer, func(context.Context) error, error) {
	if on, err := tracingOn(os.Getenv); !on || err != nil {
		return nil, nil, err
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("OpenTelemetry exporter: %w", err)
	}
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", "waauto")),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, nil, fmt.Errorf("OpenTelemetry resource (OTEL_RESOURCE_ATTRIBUTES): %w", err)
	}
	// Export failures (a collector down) are logged, not printed by the SDK.
	otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(err error) {
		log.Warn("OpenTelemetry", slog.Any("err", err))
	}))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	log.Info("OpenTelemetry tracing on: spans exported with OTLP over HTTP")
	return otel.New(otel.Config{TracerProvider: tp}), tp.Shutdown, nil
}

// tracingOn reads the environment's choice of traces exporter (see
// newTracing); an exporter or protocol the product lacks is an error.
func tracingOn(getenv func(string) string) (bool, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false, nil
	}
	switch exp := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exp {
	case "none":
		return false, nil
	case "":
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			return false, nil
		}
	case "otlp":
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: WhatsApp Auto exports traces with otlp or none", exp)
	}
	p := cmp.Or(getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"), getenv("OTEL_EXPORTER_OTLP_PROTOCOL"))
	if p != "" && p != "http/protobuf" {
		return false, fmt.Errorf("OTLP protocol %q: WhatsApp Auto exports traces with http/protobuf", p)
	}
	return true, nil
}
