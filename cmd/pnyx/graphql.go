package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/graphql"
)

func newGraphQLCommand(*cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "graphql",
		Short: "The GraphQL API: print its schema",
		Args:  cobraArgs(cobra.NoArgs),
	}
	cmd.AddCommand(&cobra.Command{
		Use:         "schema",
		Short:       "Print the GraphQL schema (SDL) that pnyx serve answers at /graphql",
		Args:        cobraArgs(cobra.NoArgs),
		Annotations: map[string]string{skipConfig: "yes"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(cmd.OutOrStdout(), graphql.Schema)
			return err
		},
	})
	return cmd
}
