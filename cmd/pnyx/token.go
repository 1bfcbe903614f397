package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
)

// newTokenCommand is pnyx token: access tokens, granted and revoked on the
// record through the command service like every other command.
func newTokenCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, revoke and list access tokens",
		Long: "Access tokens say who may record what. Each grant and revocation is an event of\n" +
			"the log (access-<token id>), recorded by an admin token given with --token or\n" +
			"PNYX_TOKEN. On a data directory with no admin token in force, pnyx token create\n" +
			"--role admin needs no token: it records the first admin, by the installer.",
		Args: cobraArgs(cobra.NoArgs),
	}
	cmd.AddCommand(newTokenCreateCommand(c), newTokenRevokeCommand(c), newTokenListCommand(c))
	return cmd
}

func newTokenCreateCommand(c *cli) *cobra.Command {
	var role, scope, expires, label string
	cmd := &cobra.Command{
		Use:   "create --role ROLE [--scope body:ID] [--expires 90d] [--label TEXT]",
		Short: "Grant a new access token and print its secret, once",
		Long: "Grants a new token a role (clerk, secretariat, procurement_officer,\n" +
			"request_officer, moderator or admin), for every body or, with --scope body:ID,\n" +
			"for one body's record, until --expires (a number of days such as 90d, a Go\n" +
			"duration such as 36h, or a date such as 2027-06-30) if given. Prints the token\n" +
			"as JSON with its secret: the secret is shown only this once; the log keeps\n" +
			"only its SHA-256. Send it as Authorization: Bearer <secret>, or give it to the\n" +
			"CLI with --token or PNYX_TOKEN.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			now := c.now().UTC()
			body, err := parseScope(scope)
			if err != nil {
				return err
			}
			until, err := parseExpiry(expires, now)
			if err != nil {
				return err
			}
			store, err := c.openStore(ctx)
			if err != nil {
				return err
			}
			defer store.Close()
			svc := events.NewService(store, events.ServiceOptions{Now: c.now})
			actor := events.InstallerActor
			if c.cfg.Token != "" {
				if actor, err = svc.Authenticate(ctx, c.cfg.Token); err != nil {
					return err
				}
			} else if events.AccessRole(role) != events.AccessAdmin {
				return events.Errorf(events.CodeUnauthenticated, "a token of role %s is granted by an admin: give the admin's secret with --token or PNYX_TOKEN", role)
			}
			tok, err := events.NewAccessToken(nil)
			if err != nil {
				return err
			}
			h, err := svc.Handle(ctx, events.GrantAccess{TokenID: tok.ID, Role: events.AccessRole(role), Scope: body, GrantedBy: actor.TokenID,
				ExpiresAt: until, Label: label, SecretSHA256: tok.SecretSHA256, At: now}, events.WithActor(actor))
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stderr, "token: keep the secret now; it is shown only this once and cannot be recovered")
			out := tokenOutput{TokenID: tok.ID, Role: role, Scope: body, Label: label, GrantedBy: actor.TokenID, Secret: tok.Secret, Position: h.Result.Position}
			if !until.IsZero() {
				out.ExpiresAt = &until
			}
			return writeJSON(cmd.OutOrStdout(), out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&role, "role", "", "the token's role: clerk, secretariat, procurement_officer, request_officer, moderator or admin (required)")
	f.StringVar(&scope, "scope", "", "body:ID to limit the token to one body's record (default: every body)")
	f.StringVar(&expires, "expires", "", "when the token ends: 90d, 36h or 2027-06-30 (default: never)")
	f.StringVar(&label, "label", "", "whom or what the token is for, on the public record (never a secret)")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func newTokenRevokeCommand(c *cli) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke ID --reason TEXT",
		Short: "Revoke an access token for good",
		Long: "Revokes the token ID (as pnyx token list shows it), with the public reason, by\n" +
			"the admin token given with --token or PNYX_TOKEN. From the moment the\n" +
			"revocation is recorded the token records nothing more.",
		Args: cobraArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if !cmd.Flags().Changed("reason") {
				return events.Invalidf("--reason is required: say why the token is revoked, for the record")
			}
			store, err := c.openExistingStore(ctx)
			if err != nil {
				return err
			}
			defer store.Close()
			svc := events.NewService(store, events.ServiceOptions{Now: c.now})
			actor, err := c.actor(ctx, svc)
			if err != nil {
				return err
			}
			h, err := svc.Handle(ctx, events.RevokeAccess{TokenID: args[0], Reason: reason, RevokedBy: actor.TokenID, At: c.now().UTC()},
				events.WithActor(actor))
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), map[string]any{"token_id": args[0], "revoked": true, "reason": reason,
				"revoked_by": actor.TokenID, "position": h.Result.Position})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the token is revoked, for the public record (required)")
	return cmd
}

func newTokenListCommand(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every access token granted, with its state",
		Long: "Prints every token granted on the log as JSON lines: id, role, scope, label,\n" +
			"expiry and whether it is in force, expired or revoked. Never a secret: the log\n" +
			"has none.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store, err := c.openExistingStore(ctx)
			if err != nil {
				return err
			}
			defer store.Close()
			grants := map[string]events.AccessState{}
			for after := events.Position(0); ; {
				page, err := store.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: events.MaxReadLimit, StreamPrefix: "access-"})
				if err != nil {
					return err
				}
				if len(page) == 0 {
					break
				}
				for _, re := range page {
					p, err := events.Decode(re)
					if err != nil {
						return err
					}
					grants[re.Stream] = events.AccessDecider.Evolve(grants[re.Stream], p)
				}
				after = page[len(page)-1].Position
			}
			streams := make([]string, 0, len(grants))
			for s := range grants {
				streams = append(streams, s)
			}
			sort.Strings(streams)
			now := c.now()
			for _, s := range streams {
				g := grants[s]
				out := tokenOutput{TokenID: g.TokenID, Role: string(g.Role), Scope: g.Scope, Label: g.Label, GrantedBy: g.GrantedBy, State: "in_force"}
				if !g.ExpiresAt.IsZero() {
					out.ExpiresAt = &g.ExpiresAt
				}
				switch {
				case g.Revoked:
					out.State = "revoked"
				case !g.ExpiresAt.IsZero() && !now.Before(g.ExpiresAt):
					out.State = "expired"
				}
				if err := writeJSON(cmd.OutOrStdout(), out); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// tokenOutput is a token as pnyx token prints it; Secret only on create.
type tokenOutput struct {
	TokenID   string          `json:"token_id"`
	Role      string          `json:"role"`
	Scope     string          `json:"scope"`
	Label     string          `json:"label,omitempty"`
	ExpiresAt *time.Time      `json:"expires_at,omitempty"`
	GrantedBy string          `json:"granted_by"`
	State     string          `json:"state,omitempty"`
	Secret    string          `json:"secret,omitempty"`
	Position  events.Position `json:"position,omitempty"`
}

// parseScope reads --scope: empty or * for every body, body:ID for one.
func parseScope(s string) (string, error) {
	switch s = strings.TrimSpace(s); {
	case s == "" || s == events.ScopeAll:
		return events.ScopeAll, nil
	case strings.HasPrefix(s, "body:"):
		id := strings.TrimPrefix(s, "body:")
		if err := events.ValidateID("--scope body id", id); err != nil {
			return "", err
		}
		return id, nil
	}
	return "", events.Invalidf("--scope %q: want body:ID, or nothing for every body", s)
}

// parseExpiry reads --expires: a number of days (90d), a Go duration
// (36h) or a date (2027-06-30, the start of that day in UTC); "" never.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 36500 {
			return time.Time{}, events.Invalidf("--expires %q: want a number of days from 1 to 36500, such as 90d", s)
		}
		return now.AddDate(0, 0, n), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, events.Invalidf("--expires %q: want a time after now", s)
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, events.Invalidf("--expires %q: want days (90d), a duration (36h) or a date (2027-06-30)", s)
	}
	if !t.After(now) {
		return time.Time{}, events.Invalidf("--expires %q: want a time after now", s)
	}
	return t, nil
}

// actor resolves the secret of --token (PNYX_TOKEN) to the actor a
// writing command records with.
func (c *cli) actor(ctx context.Context, svc *events.Service) (events.Actor, error) {
	if c.cfg.Token == "" {
		return events.Actor{}, events.Errorf(events.CodeUnauthenticated,
			"this command records on the log: give the secret of an access token with --token or PNYX_TOKEN")
	}
	return svc.Authenticate(ctx, c.cfg.Token)
}
