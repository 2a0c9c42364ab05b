# Warning flags shared by every npusim target: -Wall -Wextra clean is a project rule.
add_library(npusim_warnings INTERFACE)
target_compile_options(npusim_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                 -Wimplicit-fallthrough)
if(NPUSIM_WERROR)
  target_compile_options(npusim_warnings INTERFACE -Werror)
endif()
