module moorings.local/toolchain/pause

go 1.26.0
