package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
	"github.com/pnyx-civic/pnyx/server"
)

// setting is one configuration key. Its value comes, in rising precedence,
// from Default, the config file (pnyx.yaml), the environment variable Env()
// and the flag Flag.
type setting struct {
	Key     string // viper key; a dot nests it in pnyx.yaml ("log.level" is log: level:)
	Flag    string // command-line flag
	Default any    // string, int, bool or time.Duration; it also fixes the flag's type
	Usage   string
	Serve   bool   // the flag belongs to pnyx serve only, not to every command
	EnvName string // the environment variable, when not the one derived from Key
}

// Env is the environment variable of the setting: PNYX_ and the key in
// upper case with dots as underscores (store.max_event_bytes is
// PNYX_STORE_MAX_EVENT_BYTES).
func (s setting) Env() string {
	if s.EnvName != "" {
		return s.EnvName
	}
	return "PNYX_" + strings.ToUpper(strings.ReplaceAll(s.Key, ".", "_"))
}

// settings is every configuration key. A key's flag appears on the root
// command, or on serve when Serve is set; loadConfig reads and checks its
// value into a typed field of config.
var settings = []setting{
	{Key: "data_dir", Flag: "data-dir", Default: "./pnyx-data", Usage: "directory of the event store (events.db) and the read model (readmodel.db)"},
	// The log's location is store.url in pnyx.yaml (store: holds the
	// other store.* keys, so it cannot also be a value) and PNYX_STORE in
	// the environment, beside --store.
	{Key: "store.url", Flag: "store", EnvName: "PNYX_STORE", Default: "", Usage: "the event log: sqlite:PATH (default sqlite:DATA_DIR/events.db) or a KurrentDB connection string, kurrentdb://HOST:PORT or esdb://HOST:PORT"},
	{Key: "log.level", Flag: "log-level", Default: "info", Usage: "log level: debug, info, warn or error"},
	{Key: "log.format", Flag: "log-format", Default: "auto", Usage: "log format: auto (text on a terminal, JSON otherwise), text or json"},
	{Key: "store.max_event_bytes", Flag: "max-event-bytes", Default: events.DefaultMaxEventBytes, Usage: "largest data of one event, in bytes"},
	{Key: "store.poll_interval", Flag: "poll-interval", Default: 250 * time.Millisecond, Usage: "how often the server looks for events appended by another process, such as pnyx events append", Serve: true},
	{Key: "listen", Flag: "listen", Default: "127.0.0.1:8080", Usage: "address the HTTP server listens on", Serve: true},
	{Key: "http.shutdown_timeout", Flag: "shutdown-timeout", Default: 10 * time.Second, Usage: "how long to let requests in flight finish on SIGINT or SIGTERM", Serve: true},
	{Key: "http.max_body_bytes", Flag: "max-body-bytes", Default: server.DefaultMaxBodyBytes, Usage: "largest request body the server reads, in bytes", Serve: true},
	{Key: "http.cors_origins", Flag: "cors-origins", Default: "", Usage: "origins whose pages may read the answers from a browser, comma-separated, or * for any (default none)", Serve: true},
	{Key: "http.client_ip_header", Flag: "client-ip-header", Default: "", Usage: "header a trusted reverse proxy sets to the client's address (X-Forwarded-For, X-Real-IP), which the rate limit of public submissions then counts by; empty trusts no header (default)", Serve: true},
	{Key: "feed.max_limit", Flag: "feed-max-limit", Default: 1000, Usage: "largest page of the change feed GET /v1/events", Serve: true},
	{Key: "demo", Flag: "demo", Default: false, Usage: "when the event store is empty, first generate one year of the demo municipality", Serve: true},
	{Key: "vault.master_key_file", Flag: "vault-master-key-file", Default: "", Usage: "file of the vault's master key, kept apart from the vault's files (default DATA_DIR/vault.key; " + masterKeyEnv + " holds the key itself instead)"},
	{Key: "vault.keys_file", Flag: "vault-keys-file", Default: "", Usage: "the vault's key store, each person's key apart from their record, with its own short backup retention (default DATA_DIR/vault-keys.db)"},
	{Key: "ledger.key", Flag: "ledger-key", Default: "", Usage: "the ledger's signing key file, created (mode 0600) on first start (default DATA_DIR/ledger.key)"},
	{Key: "ledger.origin", Flag: "ledger-origin", Default: "pnyx.local/ledger", Usage: "the name of the municipality's log in its checkpoints and key, such as kallithea.example.gr/pnyx"},
	{Key: "ledger.checkpoint_every", Flag: "checkpoint-every", Default: 10000, Usage: "sign a ledger checkpoint whenever the log reaches a multiple of this many events", Serve: true},
	{Key: "ledger.checkpoint_interval", Flag: "checkpoint-interval", Default: time.Minute, Usage: "sign a ledger checkpoint of the whole log this often while it grows", Serve: true},
	{Key: "analytics.engine", Flag: "analytics-engine", Default: "embedded", Usage: "what answers the analytics questions: embedded (the read model) or clickhouse", Serve: true},
	{Key: "analytics.clickhouse.addr", Flag: "clickhouse-addr", Default: "", Usage: "host:port of ClickHouse's native protocol; when set, the analytics sink copies the log there (default none)", Serve: true},
	{Key: "analytics.clickhouse.database", Flag: "clickhouse-database", Default: clickhouse.DefaultDatabase, Usage: "ClickHouse database of the analytics tables, created when missing", Serve: true},
	{Key: "analytics.clickhouse.sink", Flag: "clickhouse-sink", Default: true, Usage: "run the analytics sink when analytics.clickhouse.addr is set; false on all API nodes but one of a cluster", Serve: true},
	{Key: "analytics.clickhouse.username", Flag: "clickhouse-username", Default: "", Usage: "ClickHouse user (default: the server's default user)", Serve: true},
	{Key: "analytics.clickhouse.password", Flag: "clickhouse-password", Default: "", Usage: "ClickHouse password; prefer the environment variable to the flag, which other users can see", Serve: true},
	{Key: "token", Flag: "token", EnvName: "PNYX_TOKEN", Default: "", Usage: "the secret of the access token a command that writes to the log records with (pnyx token create); prefer the environment variable to the flag, which other users can see"},
	{Key: "opendata.base_url", Flag: "public-url", Default: "http://127.0.0.1:8080", Usage: "the public address of the server, which the open-data catalog's links start with"},
	{Key: "opendata.publisher", Flag: "publisher", Default: "", Usage: "the publisher the open-data catalog names (default the demo municipality)"},
	{Key: "opendata.licence", Flag: "licence", Default: "CC-BY-4.0", Usage: "the licence of the open data: CC-BY-4.0, CC0-1.0, ODbL-1.0 or CC-BY-SA-4.0"},
	{Key: "opendata.ocid_prefix", Flag: "ocid-prefix", Default: opendata.DemoOCIDPrefix, Usage: "the OCDS ocid prefix registered for the publisher (ocds- and six letters or digits); the demo plans its processes under it"},
}

// minPollInterval keeps a mistyped poll interval from spinning on the
// store file.
const minPollInterval = 10 * time.Millisecond

// Where the configuration file is looked for.
const (
	configFlag        = "config"
	configEnv         = "PNYX_CONFIG"
	defaultConfigFile = "pnyx.yaml"
)

// config is the configuration a command runs with.
type config struct {
	DataDir         string
	Store           storeSetting
	LogLevel        slog.Level
	LogFormat       string // auto, text or json
	MaxEventBytes   int
	PollInterval    time.Duration
	Listen          string
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
	CORSOrigins     []string // "*" or origins such as https://data.example.org; empty allows none
	FeedMaxLimit    int
	// ClientIPHeader is the trusted proxy's header naming the client; ""
	// trusts none.
	ClientIPHeader string
	Demo           bool
	// VaultMasterKeyFile and VaultKeysFile are the vault's master key and
	// key store; "" for the defaults in the data directory.
	VaultMasterKeyFile string
	VaultKeysFile      string
	Ledger             ledgerSetting
	Analytics          analyticsConfig
	Catalog            opendata.Config // from the opendata.* keys
	// Token is the secret of the access token writing commands record
	// with; "" for none.
	Token string

	// File is the configuration file that was read, "" for none.
	File string
}

// addSettingFlags defines the flag of each setting on persistent (every
// command) or serve.
func addSettingFlags(persistent, serve *pflag.FlagSet) {
	persistent.String(configFlag, "", "configuration file (default ./"+defaultConfigFile+" when it exists; env "+configEnv+")")
	for _, s := range settings {
		set := persistent
		if s.Serve {
			set = serve
		}
		if set.Lookup(s.Flag) != nil {
			panic(fmt.Sprintf("setting %s: flag --%s is defined twice", s.Key, s.Flag))
		}
		usage := s.Usage + " (env " + s.Env() + ")"
		switch d := s.Default.(type) {
		case string:
			set.String(s.Flag, d, usage)
		case int:
			set.Int(s.Flag, d, usage)
		case bool:
			set.Bool(s.Flag, d, usage)
		case time.Duration:
			set.Duration(s.Flag, d, usage)
		default:
			panic(fmt.Sprintf("setting %s: default of unsupported type %T", s.Key, d))
		}
	}
}

// loadConfig resolves every setting for a command whose parsed flags are
// flags: defaults, then the config file, then PNYX_* variables, then the
// flags the user set. A fresh viper instance per call: no global state.
// Bad values are errors matching events.ErrInvalid that name the key.
func loadConfig(flags *pflag.FlagSet) (config, error) {
	v := viper.New()
	for _, s := range settings {
		v.SetDefault(s.Key, s.Default)
		if err := v.BindEnv(s.Key, s.Env()); err != nil {
			return config{}, err
		}
		if f := flags.Lookup(s.Flag); f != nil {
			if err := v.BindPFlag(s.Key, f); err != nil {
				return config{}, err
			}
		}
	}
	file, err := readConfigFile(v, flags)
	if err != nil {
		return config{}, err
	}
	c := config{File: file}
	c.Token = strings.TrimSpace(v.GetString("token"))
	c.DataDir = strings.TrimSpace(v.GetString("data_dir"))
	if c.DataDir == "" {
		return config{}, events.Invalidf("data_dir is empty")
	}
	if c.Store, err = parseStore(v.GetString("store.url"), c.DataDir); err != nil {
		return config{}, err
	}
	if c.LogLevel, err = parseLevel(v.GetString("log.level")); err != nil {
		return config{}, err
	}
	switch c.LogFormat = strings.ToLower(v.GetString("log.format")); c.LogFormat {
	case "auto", "text", "json":
	default:
		return config{}, events.Invalidf("log.format %q: want auto, text or json", c.LogFormat)
	}
	if c.MaxEventBytes, err = intSetting(v, "store.max_event_bytes", 1, 64<<20); err != nil {
		return config{}, err
	}
	if c.PollInterval, err = durationSetting(v, "store.poll_interval"); err != nil {
		return config{}, err
	}
	if c.PollInterval < minPollInterval {
		return config{}, events.Invalidf("store.poll_interval %s: want at least %s", c.PollInterval, minPollInterval)
	}
	if c.Listen = strings.TrimSpace(v.GetString("listen")); c.Listen == "" {
		return config{}, events.Invalidf("listen is empty")
	}
	if c.ShutdownTimeout, err = durationSetting(v, "http.shutdown_timeout"); err != nil {
		return config{}, err
	}
	maxBody, err := intSetting(v, "http.max_body_bytes", 1, 1<<30)
	if err != nil {
		return config{}, err
	}
	c.MaxBodyBytes = int64(maxBody)
	if c.CORSOrigins, err = originsSetting(v, "http.cors_origins"); err != nil {
		return config{}, err
	}
	if c.FeedMaxLimit, err = intSetting(v, "feed.max_limit", 1, events.MaxReadLimit); err != nil {
		return config{}, err
	}
	c.ClientIPHeader = strings.TrimSpace(v.GetString("http.client_ip_header"))
	if c.Demo, err = boolSetting(v, "demo"); err != nil {
		return config{}, err
	}
	c.VaultMasterKeyFile = strings.TrimSpace(v.GetString("vault.master_key_file"))
	c.VaultKeysFile = strings.TrimSpace(v.GetString("vault.keys_file"))
	if c.Ledger, err = parseLedger(v, c.DataDir); err != nil {
		return config{}, err
	}
	if c.Analytics, err = analyticsSetting(v); err != nil {
		return config{}, err
	}
	if c.Catalog, err = catalogConfig(v.GetString("opendata.base_url"), v.GetString("opendata.publisher"), v.GetString("opendata.licence"),
		v.GetString("opendata.ocid_prefix")); err != nil {
		return config{}, err
	}
	return c, nil
}

// Analytics engines.
const (
	analyticsEmbedded   = "embedded"
	analyticsClickHouse = "clickhouse"
)

// analyticsConfig says which engine answers the analytics questions and
// where the ClickHouse sink writes, when it runs.
type analyticsConfig struct {
	Engine     string // analyticsEmbedded or analyticsClickHouse
	ClickHouse clickhouse.Options
	// Sink says whether this process runs the sink into ClickHouse.
	Sink bool
}

// analyticsSetting reads the analytics.* keys: the engine is embedded or
// clickhouse, and clickhouse needs an address.
func analyticsSetting(v *viper.Viper) (analyticsConfig, error) {
	a := analyticsConfig{Engine: strings.ToLower(strings.TrimSpace(v.GetString("analytics.engine")))}
	if a.Engine != analyticsEmbedded && a.Engine != analyticsClickHouse {
		return a, events.Invalidf("analytics.engine %q: want embedded or clickhouse", a.Engine)
	}
	a.ClickHouse = clickhouse.Options{
		Addr:     strings.TrimSpace(v.GetString("analytics.clickhouse.addr")),
		Database: strings.TrimSpace(v.GetString("analytics.clickhouse.database")),
		Username: v.GetString("analytics.clickhouse.username"),
		Password: v.GetString("analytics.clickhouse.password"),
	}
	sink, err := boolSetting(v, "analytics.clickhouse.sink")
	if err != nil {
		return a, err
	}
	if a.ClickHouse.Addr == "" {
		if a.Engine == analyticsClickHouse {
			return a, events.Invalidf("analytics.engine clickhouse needs analytics.clickhouse.addr")
		}
		return a, nil
	}
	if _, port, err := net.SplitHostPort(a.ClickHouse.Addr); err != nil || port == "" {
		return a, events.Invalidf("analytics.clickhouse.addr %q: want host:port", a.ClickHouse.Addr)
	}
	if err := a.ClickHouse.Validate(); err != nil {
		return a, events.Invalidf("analytics.clickhouse.database %q: want letters, digits and underscores", a.ClickHouse.Database)
	}
	a.Sink = sink
	return a, nil
}

// readConfigFile merges the file named by --config or PNYX_CONFIG into v, or
// ./pnyx.yaml when neither is given and it exists. A key the file has but no
// setting knows is an error: a typo must not pass silently.
func readConfigFile(v *viper.Viper, flags *pflag.FlagSet) (string, error) {
	path, explicit := os.Getenv(configEnv), true
	if f := flags.Lookup(configFlag); f != nil && f.Changed {
		path = f.Value.String()
	}
	if path == "" {
		path, explicit = defaultConfigFile, false
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
	}
	fv := viper.New()
	fv.SetConfigFile(path)
	if !strings.Contains(path, ".") || strings.HasSuffix(path, ".") {
		fv.SetConfigType("yaml")
	}
	if err := fv.ReadInConfig(); err != nil {
		var notFound viper.ConfigFileNotFoundError
		if errors.As(err, &notFound) || errors.Is(err, fs.ErrNotExist) {
			if explicit {
				return "", events.Invalidf("config file %s does not exist", path)
			}
			return "", nil
		}
		return "", events.Invalidf("config file %s: %v", path, err)
	}
	known := map[string]bool{}
	for _, s := range settings {
		known[s.Key] = true
	}
	for _, k := range fv.AllKeys() {
		if !known[k] {
			return "", events.Invalidf("config file %s: unknown key %q", path, k)
		}
	}
	if err := v.MergeConfigMap(fv.AllSettings()); err != nil {
		return "", events.Invalidf("config file %s: %v", path, err)
	}
	return path, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, events.Invalidf("log.level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// intSetting reads key as an integer in [lo, hi], whichever layer it came
// from (a string from the environment, a number from YAML).
func intSetting(v *viper.Viper, key string, lo, hi int) (int, error) {
	raw := v.Get(key)
	var n int64
	switch x := raw.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case uint64:
		n = int64(min(x, 1<<62))
	case float64:
		if x != float64(int64(x)) {
			return 0, events.Invalidf("%s %v: want an integer", key, x)
		}
		n = int64(x)
	case string:
		var err error
		if n, err = strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil {
			return 0, events.Invalidf("%s %q: want an integer", key, x)
		}
	default:
		return 0, events.Invalidf("%s %v: want an integer", key, raw)
	}
	if n < int64(lo) || n > int64(hi) {
		return 0, events.Invalidf("%s %d: want %d to %d", key, n, lo, hi)
	}
	return int(n), nil
}

// durationSetting reads key as a positive duration such as "10s".
func durationSetting(v *viper.Viper, key string) (time.Duration, error) {
	raw := v.Get(key)
	var d time.Duration
	switch x := raw.(type) {
	case time.Duration:
		d = x
	case string:
		var err error
		if d, err = time.ParseDuration(strings.TrimSpace(x)); err != nil {
			return 0, events.Invalidf("%s %q: want a duration such as 10s", key, x)
		}
	default:
		return 0, events.Invalidf("%s %v: want a duration such as 10s", key, raw)
	}
	if d <= 0 {
		return 0, events.Invalidf("%s %s: want a positive duration", key, d)
	}
	return d, nil
}

// boolSetting reads key as true or false, whichever layer it came from (a
// boolean from YAML or the flag, a string from the environment). Anything
// else, such as the typo "ture", is an error naming the key, never false.
func boolSetting(v *viper.Viper, key string) (bool, error) {
	switch x := v.Get(key).(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, events.Invalidf("%s %q: want true or false", key, x)
	default:
		return false, events.Invalidf("%s %v: want true or false", key, x)
	}
}

// originsSetting reads key as a list of CORS origins: a YAML list, or a
// string of them separated by commas (the environment, the flag). Each
// must be * or an origin such as https://data.example.org.
func originsSetting(v *viper.Viper, key string) ([]string, error) {
	var items []string
	switch x := v.Get(key).(type) {
	case string:
		items = strings.Split(x, ",")
	case []string:
		items = x
	case []any:
		for _, it := range x {
			s, ok := it.(string)
			if !ok {
				return nil, events.Invalidf("%s: %v is not an origin; want * or origins such as https://data.example.org", key, it)
			}
			items = append(items, s)
		}
	default:
		return nil, events.Invalidf("%s %v: want * or origins such as https://data.example.org", key, x)
	}
	var origins []string
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		if err := server.CheckCORSOrigin(it); err != nil {
			return nil, events.Invalidf("%s: %s", key, events.ErrorMessage(err))
		}
		origins = append(origins, it)
	}
	return origins, nil
}
