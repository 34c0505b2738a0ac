# Third-party libraries, all from Debian's packages (docs/dependencies.md says why each).
# Imported targets: PkgConfig::LIBZIP, PkgConfig::JANSSON, Threads::Threads, ${CMAKE_DL_LIBS}.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip>=1.7)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson>=2.13)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
