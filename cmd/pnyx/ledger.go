package main

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/viper"

	"github.com/pnyx-civic/pnyx/projections/ledger"
)

// ledgerSetting is where the ledger keeps its key and how often it signs.
type ledgerSetting struct {
	KeyPath  string // the signing key file
	Origin   string // the log's name in checkpoints
	Every    int64
	Interval time.Duration
}

func parseLedger(v *viper.Viper, dataDir string) (ledgerSetting, error) {
	s := ledgerSetting{KeyPath: strings.TrimSpace(v.GetString("ledger.key")), Origin: strings.TrimSpace(v.GetString("ledger.origin"))}
	if s.KeyPath == "" {
		s.KeyPath = filepath.Join(dataDir, "ledger.key")
	}
	every, err := intSetting(v, "ledger.checkpoint_every", 1, 1<<40)
	if err != nil {
		return ledgerSetting{}, err
	}
	s.Every = int64(every)
	if s.Interval, err = durationSetting(v, "ledger.checkpoint_interval"); err != nil {
		return ledgerSetting{}, err
	}
	return s, nil
}

// ledgerPath is the ledger's file, beside the read model: like it, it can
// be deleted and rebuilt from the log (but for checkpoints signed on time
// rather than on count, which are not signed again).
func ledgerPath(cfg config) string { return filepath.Join(cfg.DataDir, "ledger.db") }

// openLedger opens the ledger over log with its key, creating the key on
// first start.
func (c *cli) openLedger(ctx context.Context, log ledger.Log) (*ledger.Ledger, error) {
	key, err := ledger.LoadOrCreateKey(c.cfg.Ledger.KeyPath, c.cfg.Ledger.Origin)
	if err != nil {
		return nil, err
	}
	return ledger.Open(ctx, ledgerPath(c.cfg), log, ledger.Options{
		Key: key, Every: c.cfg.Ledger.Every, Interval: c.cfg.Ledger.Interval, Now: c.now,
	})
}
