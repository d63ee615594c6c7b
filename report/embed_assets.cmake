# Writes OUT: a C++ file defining the page's stylesheet and script from
# CSS and JS (raw string literals).
file(READ ${CSS} css)
file(READ ${JS} js)
foreach(text css js)
  string(FIND "${${text}}" ")asset\"" bad)
  if(NOT bad EQUAL -1)
    message(FATAL_ERROR "${text} contains the raw string delimiter")
  endif()
endforeach()
file(WRITE ${OUT}.tmp
"// Generated from report/assets/ by embed_assets.cmake.\n"
"namespace tether::report {\n"
"extern const char ReportCss[] = R\"asset(${css})asset\";\n"
"extern const char ReportJs[] = R\"asset(${js})asset\";\n"
"}\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
