# SPDX-License-Identifier: MIT
# Turn a text file into a C source defining `const char NAME[]`
# (NUL-terminated) and `const unsigned char NAME_sha256[32]` (the SHA-256 of
# the text, for the compiled-filter cache: a built-in is not hashed at every
# launch), so built-in configs and profiles need no file at run time.
# Usage: cmake -DIN=file.json -DOUT=file.c -DNAME=symbol -P embed_text.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n  " bytes "${bytes}")
file(SHA256 "${IN}" digest)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," digest_bytes "${digest}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by cmake/embed_text.cmake; do not edit. */\n"
  "extern const char ${NAME}[];\n"
  "extern const unsigned char ${NAME}_sha256[32];\n"
  "const char ${NAME}[] = {\n  ${bytes}0x00\n};\n"
  "const unsigned char ${NAME}_sha256[32] = {${digest_bytes}};\n")
# Only touch the output when it changed, so dependants do not rebuild needlessly.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
