package whatsmeow

import (
	"fmt"
	"io"
	"time"

	"github.com/mdp/qrterminal/v3"
	qrcode "github.com/skip2/go-qrcode"
)

// QRCode is one linking code to show; codes are refreshed until one is
// scanned or they run out. Never log Code: whoever scans it owns the number.
type QRCode struct {
	Code string
	// Expires is how long this code stays valid.
	Expires time.Duration
}

// QRPNG renders a linking code as a PNG image of size×size pixels, for the dashboard.
func QRPNG(code string, size int) ([]byte, error) {
	png, err := qrcode.Encode(code, qrcode.Medium, size)
	if err != nil {
		return nil, fmt.Errorf("render qr png: %w", err)
	}
	return png, nil
}

// QRTerminal writes a linking code to w as a QR code drawn with half blocks,
// for a terminal.
func QRTerminal(w io.Writer, code string) {
	qrterminal.GenerateHalfBlock(code, qrterminal.L, w)
}
