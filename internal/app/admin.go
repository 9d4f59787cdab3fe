package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/internal/dashboard"
)

// envAdminPassword names the environment variable of the admin password:
// a password is never a command-line argument, which every user of the
// machine sees in ps.
const envAdminPassword = "WAAUTO_ADMIN_PASSWORD"

// readPasswordFile returns the first line of the file path.
func readPasswordFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	defer f.Close()
	return readPasswordLine(f, "password file "+path)
}

// readPasswordLine returns the first line of r without its line end.
func readPasswordLine(r io.Reader, what string) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%s: empty password", what)
	}
	return pw, nil
}

// cmdAdmin runs `waauto admin reset-password`: the way back in when the
// admin password is lost.
func cmdAdmin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "reset-password" {
		fmt.Fprintf(stderr, "waauto admin: want the subcommand reset-password\n%s", usage)
		return 2
	}
	fs := flag.NewFlagSet("admin reset-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("WAAUTO_DB", "waauto.db"), "SQLite file, or a postgres:// DSN (env WAAUTO_DB)")
	user := fs.String("user", "admin", "dashboard user whose password is set (created as an admin when missing)")
	file := fs.String("password-file", "", "file whose first line is the new password (default: env "+envAdminPassword+", else the first line of stdin)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "waauto admin reset-password: unexpected argument %q (the password is read from a file, %s or stdin)\n", fs.Arg(0), envAdminPassword)
		return 2
	}
	pw, err := newAdminPassword(*file, stdin)
	if err == nil && len(pw) < dashboard.MinPassword {
		err = fmt.Errorf("the new password is too short: use at least %d characters", dashboard.MinPassword)
	}
	if err != nil {
		fmt.Fprintf(stderr, "waauto admin reset-password: %v\n", err)
		return 1
	}
	if err := resetPassword(ctx, *db, *user, pw); err != nil {
		fmt.Fprintf(stderr, "waauto admin reset-password: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Password of %q changed; every session of %q is logged out\n", *user, *user)
	return 0
}

// newAdminPassword reads the new password from file, the environment or stdin.
func newAdminPassword(file string, stdin io.Reader) (string, error) {
	if file != "" {
		return readPasswordFile(file)
	}
	if pw := os.Getenv(envAdminPassword); pw != "" {
		return pw, nil
	}
	return readPasswordLine(stdin, "stdin")
}

// resetPassword sets user's password in the database dsn, keeping its
// admin right (a missing user becomes an admin), and ends its sessions.
func resetPassword(ctx context.Context, dsn, user, pw string) error {
	st, err := bunstore.Open(ctx, dsn, bunstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := dashboard.OpenStore(ctx, st.DB())
	if err != nil {
		return err
	}
	return users.ResetPassword(ctx, user, pw)
}
