package main

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// loadFor parses args as pnyx serve would and resolves the configuration.
func loadFor(t *testing.T, args ...string) (config, error) {
	t.Helper()
	root := newRootCommand(&cli{})
	serve, _, err := root.Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return loadConfig(serve.Flags())
}

const layeredYAML = `
listen: 127.0.0.1:9001
data_dir: ./from-file
log:
  level: debug
store:
  max_event_bytes: 2048
  poll_interval: 300ms
http:
  shutdown_timeout: 3s
`

func TestConfigPrecedence(t *testing.T) {
	type want struct {
		listen   string
		dataDir  string
		level    slog.Level
		maxBytes int
		shutdown time.Duration
		poll     time.Duration
	}
	defaults := want{"127.0.0.1:8080", "./pnyx-data", slog.LevelInfo, events.DefaultMaxEventBytes, 10 * time.Second, 250 * time.Millisecond}
	fromFile := want{"127.0.0.1:9001", "./from-file", slog.LevelDebug, 2048, 3 * time.Second, 300 * time.Millisecond}
	fromEnv := want{"127.0.0.1:9002", "./from-env", slog.LevelWarn, 4096, 4 * time.Second, 400 * time.Millisecond}
	fromFlags := want{"127.0.0.1:9003", "./from-flags", slog.LevelError, 8192, 5 * time.Second, 500 * time.Millisecond}
	env := map[string]string{
		"PNYX_LISTEN": "127.0.0.1:9002", "PNYX_DATA_DIR": "./from-env", "PNYX_LOG_LEVEL": "warn",
		"PNYX_STORE_MAX_EVENT_BYTES": "4096", "PNYX_HTTP_SHUTDOWN_TIMEOUT": "4s",
		"PNYX_STORE_POLL_INTERVAL": "400ms",
	}
	flags := []string{"--listen", "127.0.0.1:9003", "--data-dir", "./from-flags", "--log-level", "error",
		"--max-event-bytes", "8192", "--shutdown-timeout", "5s", "--poll-interval", "500ms"}

	for _, tc := range []struct {
		rule  string
		file  bool
		env   bool
		flags bool
		want  want
	}{
		{"with nothing set the defaults hold", false, false, false, defaults},
		{"pnyx.yaml overrides the defaults", true, false, false, fromFile},
		{"PNYX_* variables override pnyx.yaml", true, true, false, fromEnv},
		{"PNYX_* variables override the defaults without a file", false, true, false, fromEnv},
		{"flags override PNYX_* variables and pnyx.yaml", true, true, true, fromFlags},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			cleanEnv(t)
			dir := t.TempDir()
			t.Chdir(dir)
			if tc.file {
				writeFile(t, dir, "pnyx.yaml", layeredYAML)
			}
			if tc.env {
				for k, v := range env {
					t.Setenv(k, v)
				}
			}
			var args []string
			if tc.flags {
				args = flags
			}
			c, err := loadFor(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			got := want{c.Listen, c.DataDir, c.LogLevel, c.MaxEventBytes, c.ShutdownTimeout, c.PollInterval}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
			if tc.file != (c.File != "") {
				t.Fatalf("file read: %q", c.File)
			}
		})
	}
}

func TestConfigFileLocation(t *testing.T) {
	t.Run("--config names the file", func(t *testing.T) {
		cleanEnv(t)
		p := writeFile(t, t.TempDir(), "other.yaml", "listen: 127.0.0.1:7000\n")
		c, err := loadFor(t, "--config", p)
		if err != nil || c.Listen != "127.0.0.1:7000" || c.File != p {
			t.Fatalf("config %+v, err %v", c, err)
		}
	})
	t.Run("PNYX_CONFIG names the file, and --config overrides it", func(t *testing.T) {
		cleanEnv(t)
		dir := t.TempDir()
		t.Setenv(configEnv, writeFile(t, dir, "env.yaml", "listen: 127.0.0.1:7001\n"))
		c, err := loadFor(t)
		if err != nil || c.Listen != "127.0.0.1:7001" {
			t.Fatalf("config %+v, err %v", c, err)
		}
		c, err = loadFor(t, "--config", writeFile(t, dir, "flag.yaml", "listen: 127.0.0.1:7002\n"))
		if err != nil || c.Listen != "127.0.0.1:7002" {
			t.Fatalf("config %+v, err %v", c, err)
		}
	})
	t.Run("Greek in a path survives", func(t *testing.T) {
		cleanEnv(t)
		p := writeFile(t, t.TempDir(), "δήμος.yaml", "data_dir: ./δεδομένα\n")
		c, err := loadFor(t, "--config", p)
		if err != nil || c.DataDir != "./δεδομένα" {
			t.Fatalf("config %+v, err %v", c, err)
		}
	})
}

func TestConfigRefusesBadValues(t *testing.T) {
	for _, tc := range []struct {
		rule string
		file string
		env  map[string]string
		args []string
	}{
		{"an unknown key in the file is a typo, not ignored", "lisen: 127.0.0.1:1\n", nil, nil},
		{"a nested unknown key is refused too", "log:\n  levle: debug\n", nil, nil},
		{"a file that is not YAML is refused", "listen: [unclosed\n", nil, nil},
		{"a named file that does not exist is refused", "", nil, []string{"--config", "does-not-exist.yaml"}},
		{"a size that is not a number is refused", "", map[string]string{"PNYX_STORE_MAX_EVENT_BYTES": "lots"}, nil},
		{"a size of zero is refused", "store:\n  max_event_bytes: 0\n", nil, nil},
		{"a fractional size is refused", "store:\n  max_event_bytes: 1.5\n", nil, nil},
		{"an unknown log level is refused", "", nil, []string{"--log-level", "loud"}},
		{"an unknown log format is refused", "", map[string]string{"PNYX_LOG_FORMAT": "xml"}, nil},
		{"a shutdown timeout that is not a duration is refused", "", map[string]string{"PNYX_HTTP_SHUTDOWN_TIMEOUT": "soon"}, nil},
		{"a negative shutdown timeout is refused", "", nil, []string{"--shutdown-timeout", "-1s"}},
		{"a poll interval that is not a duration is refused", "", map[string]string{"PNYX_STORE_POLL_INTERVAL": "often"}, nil},
		{"a poll interval that would spin on the file is refused", "", nil, []string{"--poll-interval", "1ms"}},
		{"a feed limit over the store's maximum is refused", "feed:\n  max_limit: 1000000\n", nil, nil},
		{"an empty data directory is refused", "data_dir: ' '\n", nil, nil},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			cleanEnv(t)
			dir := t.TempDir()
			t.Chdir(dir)
			if tc.file != "" {
				writeFile(t, dir, "pnyx.yaml", tc.file)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := loadFor(t, tc.args...)
			if !errors.Is(err, events.ErrInvalid) {
				t.Fatalf("error %v, want one matching ErrInvalid", err)
			}
		})
	}
}

func TestConfigTypedSettings(t *testing.T) {
	for _, tc := range []struct {
		rule    string
		file    string
		env     map[string]string
		args    []string
		demo    bool
		origins []string
		body    int64
	}{
		{"by default there is no demo, no CORS origin and the default body limit", "", nil, nil, false, nil, 2 << 20},
		{"--demo turns the demo on", "", nil, []string{"--demo"}, true, nil, 2 << 20},
		{"PNYX_DEMO=true turns the demo on", "", map[string]string{"PNYX_DEMO": "true"}, nil, true, nil, 2 << 20},
		{"demo: true in the file turns the demo on", "demo: true\n", nil, nil, true, nil, 2 << 20},
		{"--demo=false beats the file", "demo: true\n", nil, []string{"--demo=false"}, false, nil, 2 << 20},
		{"CORS origins come as a YAML list", "http:\n  cors_origins: [https://data.example.org, 'http://localhost:3000']\n", nil, nil, false, []string{"https://data.example.org", "http://localhost:3000"}, 2 << 20},
		{"CORS origins come comma-separated from the environment", "", map[string]string{"PNYX_HTTP_CORS_ORIGINS": "https://a.example, https://b.example"}, nil, false, []string{"https://a.example", "https://b.example"}, 2 << 20},
		{"* allows every origin", "", nil, []string{"--cors-origins", "*"}, false, []string{"*"}, 2 << 20},
		{"the body limit is a number of bytes", "http:\n  max_body_bytes: 4096\n", nil, nil, false, nil, 4096},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			cleanEnv(t)
			dir := t.TempDir()
			t.Chdir(dir)
			if tc.file != "" {
				writeFile(t, dir, "pnyx.yaml", tc.file)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := loadFor(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if c.Demo != tc.demo || !slices.Equal(c.CORSOrigins, tc.origins) || c.MaxBodyBytes != tc.body {
				t.Fatalf("demo %v, origins %q, body limit %d; want %v, %q, %d", c.Demo, c.CORSOrigins, c.MaxBodyBytes, tc.demo, tc.origins, tc.body)
			}
		})
	}
}

func TestConfigAnalytics(t *testing.T) {
	t.Run("by default the embedded engine answers and no sink runs", func(t *testing.T) {
		cleanEnv(t)
		t.Chdir(t.TempDir())
		c, err := loadFor(t)
		if err != nil || c.Analytics.Engine != analyticsEmbedded || c.Analytics.ClickHouse.Addr != "" || c.Analytics.Sink {
			t.Fatalf("%+v, %v", c.Analytics, err)
		}
	})
	t.Run("the clickhouse engine with its address, database and user from the file", func(t *testing.T) {
		cleanEnv(t)
		dir := t.TempDir()
		t.Chdir(dir)
		writeFile(t, dir, "pnyx.yaml", "analytics:\n  engine: clickhouse\n  clickhouse:\n    addr: 10.0.0.5:9000\n    database: pnyx_a\n    username: pnyx\n")
		t.Setenv("PNYX_ANALYTICS_CLICKHOUSE_PASSWORD", "secret")
		c, err := loadFor(t)
		if err != nil {
			t.Fatal(err)
		}
		a := c.Analytics
		if a.Engine != analyticsClickHouse || a.ClickHouse.Addr != "10.0.0.5:9000" || a.ClickHouse.Database != "pnyx_a" ||
			a.ClickHouse.Username != "pnyx" || a.ClickHouse.Password != "secret" || !a.Sink {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("an API node of a cluster reads ClickHouse without running a sink", func(t *testing.T) {
		cleanEnv(t)
		t.Chdir(t.TempDir())
		c, err := loadFor(t, "--analytics-engine", "clickhouse", "--clickhouse-addr", "ch.example.org:9000", "--clickhouse-sink=false")
		if err != nil || c.Analytics.Sink || c.Analytics.Engine != analyticsClickHouse {
			t.Fatalf("%+v, %v", c.Analytics, err)
		}
	})
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct {
		rule string
		file string
		env  map[string]string
		key  string
	}{
		{"a typo in demo in the file is an error, not false", "demo: ture\n", nil, "demo"},
		{"a typo in PNYX_DEMO is an error, not false", "", map[string]string{"PNYX_DEMO": "yes please"}, "demo"},
		{"demo must be a boolean, not a number", "demo: 2\n", nil, "demo"},
		{"a CORS origin with a path is refused", "http:\n  cors_origins: [https://data.example.org/api]\n", nil, "http.cors_origins"},
		{"a CORS origin without a scheme is refused", "", map[string]string{"PNYX_HTTP_CORS_ORIGINS": "data.example.org"}, "http.cors_origins"},
		{"a CORS origin that is not text is refused", "http:\n  cors_origins: [42]\n", nil, "http.cors_origins"},
		{"a body limit of zero is refused", "http:\n  max_body_bytes: 0\n", nil, "http.max_body_bytes"},
		{"an analytics engine that is neither embedded nor clickhouse is refused", "analytics:\n  engine: duckdb\n", nil, "analytics.engine"},
		{"the clickhouse engine without an address is refused", "", map[string]string{"PNYX_ANALYTICS_ENGINE": "clickhouse"}, "analytics.engine"},
		{"a ClickHouse address without a port is refused", "analytics:\n  clickhouse:\n    addr: localhost\n", nil, "analytics.clickhouse.addr"},
		{"a ClickHouse database that is not a name is refused", "", map[string]string{"PNYX_ANALYTICS_CLICKHOUSE_ADDR": "127.0.0.1:9000",
			"PNYX_ANALYTICS_CLICKHOUSE_DATABASE": "pnyx; DROP"}, "analytics.clickhouse.database"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			cleanEnv(t)
			dir := t.TempDir()
			t.Chdir(dir)
			if tc.file != "" {
				writeFile(t, dir, "pnyx.yaml", tc.file)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := loadFor(t)
			if !errors.Is(err, events.ErrInvalid) || (!strings.HasPrefix(err.Error(), tc.key+" ") && !strings.HasPrefix(err.Error(), tc.key+":")) {
				t.Fatalf("error %v, want an invalid error naming %s", err, tc.key)
			}
		})
	}
}
