package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.0".
var version = "dev"

func newVersionCommand(*cli) *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print the version of pnyx and of Go it was built with",
		Args:        cobraArgs(cobra.NoArgs),
		Annotations: map[string]string{skipConfig: "yes"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "pnyx %s %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
