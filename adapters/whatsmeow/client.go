package whatsmeow

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// Client is the subset of *whatsmeow.Client the adapter calls. The real
// client satisfies it; tests use a fake.
type Client interface {
	// SendMessage sends msg to a chat and waits for the server ack.
	SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	// SendChatPresence shows or hides the typing indicator in a chat.
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	// Upload encrypts and uploads a file for a media message.
	Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	// Download fetches and decrypts the media of a message.
	Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)
	// Connect opens the websocket.
	Connect() error
	// Disconnect closes the websocket without logging out.
	Disconnect()
	// Logout unlinks the device and deletes its keys from the store.
	Logout(ctx context.Context) error
	// GetQRChannel returns the channel of QR codes for linking; call before Connect.
	GetQRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error)
	// PairPhone asks for a phone pair code; call after Connect.
	PairPhone(ctx context.Context, phone string, showPushNotification bool, clientType whatsmeow.PairClientType, clientDisplayName string) (string, error)
	// IsConnected reports whether the websocket is open.
	IsConnected() bool
	// IsLoggedIn reports whether the client is authenticated.
	IsLoggedIn() bool
	// AddEventHandlerWithSuccessStatus registers a handler whose false return
	// withholds the delivery receipt so that WhatsApp redelivers.
	AddEventHandlerWithSuccessStatus(handler whatsmeow.EventHandlerWithSuccessStatus) uint32
	// RemoveEventHandler unregisters a handler.
	RemoveEventHandler(id uint32) bool
	// GenerateMessageID returns a fresh WhatsApp message id.
	GenerateMessageID() types.MessageID
}

var _ Client = (*whatsmeow.Client)(nil)

// LIDResolver maps a hidden-user id (…@lid) to the phone-number JID
// (…@s.whatsapp.net). The device store's LIDs field satisfies it.
type LIDResolver interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// Clock tells the time; workflow.Clock satisfies it.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
