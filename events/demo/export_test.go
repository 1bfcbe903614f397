package demo

// Truncated returns o with the world ending months after it begins.
func Truncated(o Options, months int) Options {
	o.months = months
	return o
}
