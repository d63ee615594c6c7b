# Writes OUT, a C file holding the wait-reason table IN (TSV) as one string.
# With no IN (tether-modelgen not built), the table is empty.
set(text "")
if(DEFINED IN AND EXISTS "${IN}")
  file(READ "${IN}" text)
endif()
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\t" "\\t" text "${text}")
string(REPLACE "\n" "\\n\"\n  \"" text "${text}")
file(WRITE "${OUT}.tmp" "/* Generated from the API models; do not edit. */\nconst char tether_builtin_models_tsv[] =\n  \"${text}\";\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
