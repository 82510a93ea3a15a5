"""What the service keeps in Redis: the key names (`keys`, a leaf module), the result store (`results`) and the
Lua scripts it runs (`*.lua`, shipped as package data)."""
