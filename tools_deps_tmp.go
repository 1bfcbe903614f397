package main
import (
 _ "modernc.org/sqlite"
 _ "github.com/google/uuid"
 _ "github.com/spf13/cobra"
 _ "github.com/spf13/viper"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "golang.org/x/text/unicode/norm"
 _ "golang.org/x/term"
 _ "github.com/schollz/progressbar/v3"
 _ "golang.org/x/sync/errgroup"
)
func main(){}
