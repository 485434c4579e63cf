// Empty: the code is in the system library; this only gives mediasoup's link_whole a target.
namespace revolution_system_library_stub {}
