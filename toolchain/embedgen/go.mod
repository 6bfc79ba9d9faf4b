module moorings.local/toolchain/embedgen

go 1.25
