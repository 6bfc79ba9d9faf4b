stand-in WordPress login
