# Turn a text file into a C source defining `const char cr_default_config_json[]`
# (NUL-terminated). Usage: cmake -DIN=file.json -DOUT=file.c -P embed_json.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUT}"
  "/* Generated from ${IN} by embed_json.cmake; do not edit. */\n"
  "#include \"cr/config.h\"\n\n"
  "const char cr_default_config_json[] = {\n  ${bytes}0x00\n};\n")
