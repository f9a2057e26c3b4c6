# The README's header-only install, run as a script (cmake -P): configure the source tree out of
# tree with every compiled target off, build (which must compile nothing), install to a fresh
# prefix, check what was installed, and find the package from a consumer project.
#   -DSOURCE_DIR=  the somtile source tree     -DWORK_DIR=  a scratch folder (emptied first)
#   -DGENERATOR=   the CMake generator         -DCXX_COMPILER=  the C++ compiler
#   -DUSE_OPENMP=  ON|OFF, as the calling build
foreach(var SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER USE_OPENMP)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "header_only_install: pass -D${var}=")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "header_only_install: ${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

# What a build step would leave behind: objects, libraries, programs' objects.
function(built_files out_var)
  file(GLOB_RECURSE files LIST_DIRECTORIES false "${WORK_DIR}/build/*.o" "${WORK_DIR}/build/*.obj"
       "${WORK_DIR}/build/*.a" "${WORK_DIR}/build/*.so" "${WORK_DIR}/build/*.lib")
  set(${out_var} "${files}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
run("configuring somtile" ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DSOMTILE_USE_OPENMP=${USE_OPENMP}
    -DSOMTILE_BUILD_TESTS=OFF -DSOMTILE_BUILD_EXAMPLES=OFF -DSOMTILE_BUILD_TOOLS=OFF -DSOMTILE_PRECOMPILED=OFF)
built_files(before)
run("building" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
built_files(after)
if(NOT before STREQUAL after OR last_output MATCHES "Building CXX|Linking CXX")
  message(FATAL_ERROR "header_only_install: the build step of a header-only configure compiled something:\n"
                      "${last_output}\nnew files: ${after}")
endif()

run("installing" ${CMAKE_COMMAND} --install "${WORK_DIR}/build" --prefix "${WORK_DIR}/prefix")
foreach(file include/somtile/somtile.hpp include/somtile/version.hpp)
  if(NOT EXISTS "${WORK_DIR}/prefix/${file}")
    message(FATAL_ERROR "header_only_install: ${file} was not installed")
  endif()
endforeach()
file(GLOB_RECURSE config "${WORK_DIR}/prefix/*/somtileConfig.cmake")
file(GLOB_RECURSE libraries "${WORK_DIR}/prefix/*.a" "${WORK_DIR}/prefix/*.so" "${WORK_DIR}/prefix/bin/*")
if(NOT config OR libraries)
  message(FATAL_ERROR "header_only_install: expected the CMake package and no library or program, "
                      "got config '${config}', binaries '${libraries}'")
endif()

run("finding the package" ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/package/components" -B "${WORK_DIR}/consumer"
    -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX_COMPILER} "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix"
    -DPROBE=header_only)
message(STATUS "header_only_install: configured, built nothing, installed the headers and the package, found it")
