//go:build !race

package chart

const race = false
