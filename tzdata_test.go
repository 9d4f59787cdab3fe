package waauto_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestTZData: every binary (package main) embeds the time zone database
// with time/tzdata so that scheduled messages resolve their IANA zone on a
// host without /usr/share/zoneinfo; no library package pulls it in, even
// indirectly (pkg.go.dev/time/tzdata: "should normally be imported by a
// program's main package, not by a library").
func TestTZData(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{.Name}}{{range .Deps}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	binaries := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, name, deps := f[0], f[1], f[2:]
		has := slices.Contains(deps, "time/tzdata")
		switch {
		case name == "main" && !has:
			t.Errorf("binary %s does not import time/tzdata", pkg)
		case name == "main":
			binaries++
		case has:
			t.Errorf("library package %s imports time/tzdata (directly or through a dependency); only binaries may", pkg)
		}
	}
	if binaries == 0 {
		t.Fatalf("no binary found in go list ./...; the check looked at nothing")
	}
}
