/* Empty: the code is in the system library; this only gives mediasoup's link_whole a target. */
typedef int revolution_system_library_stub;
