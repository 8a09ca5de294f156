# Warnings and sanitizers as INTERFACE targets that real targets link
# (cpp-best-practices cmake_template).
add_library(jobtrail_warnings INTERFACE)
target_compile_options(jobtrail_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)

add_library(jobtrail_sanitizers INTERFACE)
if(JOBTRAIL_SANITIZE)
  target_compile_options(jobtrail_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(jobtrail_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# Every project target links this one target.
add_library(jobtrail_options INTERFACE)
target_link_libraries(jobtrail_options INTERFACE jobtrail_warnings jobtrail_sanitizers)
