# Output writers (text, JSON, SARIF, Code Climate), fingerprints and baselines. Included by
# tool/CMakeLists.txt; also linked by the unit tests.
add_library(tether_output STATIC
  ${CMAKE_CURRENT_LIST_DIR}/Output.cpp
  ${CMAKE_CURRENT_LIST_DIR}/OutputText.cpp
  ${CMAKE_CURRENT_LIST_DIR}/OutputJson.cpp
  ${CMAKE_CURRENT_LIST_DIR}/OutputSarif.cpp
  ${CMAKE_CURRENT_LIST_DIR}/OutputCodeClimate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Baseline.cpp
  ${PROJECT_SOURCE_DIR}/analysis/Finding.cpp
  ${PROJECT_SOURCE_DIR}/analysis/FindingJSON.cpp)
target_include_directories(tether_output PUBLIC
  ${CMAKE_CURRENT_LIST_DIR} ${PROJECT_SOURCE_DIR}/checks/core
  ${PROJECT_SOURCE_DIR}/analysis)
target_include_directories(tether_output SYSTEM PUBLIC ${LLVM_INCLUDE_DIRS})
target_compile_definitions(tether_output PUBLIC ${LLVM_DEFINITIONS})
target_link_libraries(tether_output PUBLIC LLVM tether_support)
set_target_properties(tether_output PROPERTIES POSITION_INDEPENDENT_CODE ON)
