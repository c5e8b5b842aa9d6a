package mail

import "time"

// Mails of the console's accounts. Their links carry one-time tokens.

// ConsoleInvitation invites a person to a console account.
type ConsoleInvitation struct {
	InviteeName string
	InviterName string
	// Organisation is the partner the account belongs to, or "CloudRoute"
	// for an admin.
	Organisation string
	// Role is the account's role in words, e.g. "partner staff".
	Role      string
	AcceptURL string
	ExpiresAt time.Time
}

// Kind returns KindConsoleInvitation.
func (ConsoleInvitation) Kind() Kind { return KindConsoleInvitation }

func (m ConsoleInvitation) letter() letter {
	who := txt("You are invited")
	if m.InviterName != "" {
		who = txt(m.InviterName + " invites you")
	}
	return letter{
		Subject:  "Your invitation to the CloudRoute console for " + m.Organisation,
		Greeting: greeting(m.InviteeName),
		Blocks: []block{
			para(who, txt(" to the CloudRoute console of "), bold(m.Organisation), txt(", as "+m.Role+".")),
			para(txt("Choose a password to open your account. The invitation can be used once, until " + formatTime(m.ExpiresAt) + ".")),
			button("Accept the invitation", m.AcceptURL),
		},
		Why: "If you did not expect this invitation, ignore this mail: no account is made until it is accepted.",
	}
}

// PasswordReset sends the link that sets a new password.
type PasswordReset struct {
	RecipientName string
	ResetURL      string
	ExpiresAt     time.Time
}

// Kind returns KindConsolePasswordReset.
func (PasswordReset) Kind() Kind { return KindConsolePasswordReset }

func (m PasswordReset) letter() letter {
	return letter{
		Subject:  "Reset your CloudRoute password",
		Greeting: greeting(m.RecipientName),
		Blocks: []block{
			para(txt("Someone, probably you, asked to reset the password of your CloudRoute console account.")),
			para(txt("The link works once, until " + formatTime(m.ExpiresAt) + ".")),
			button("Choose a new password", m.ResetURL),
		},
		Why: "If you did not ask for this, ignore this mail: your password stays as it is.",
	}
}
