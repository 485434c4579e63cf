// ankerl::unordered_dense (https://github.com/martinus/unordered_dense) names, mapped onto the standard
// containers, for building mediasoup's worker from Debian packages (Debian bookworm has no unordered_dense).
// mediasoup 3.27.1 uses map<K, V[, Hash]>, set<K> and hash<integer>; std::unordered_map/set provide every
// operation it calls. Differences that do not matter to it: iteration order, and the (slower) node-based storage.
#ifndef ANKERL_UNORDERED_DENSE_H
#define ANKERL_UNORDERED_DENSE_H

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	template<typename T, typename Enable = void>
	struct hash
	{
		using is_avalanching = void;

		[[nodiscard]] auto operator()(const T& value) const noexcept(noexcept(std::hash<T>{}(value))) -> std::uint64_t
		{
			return static_cast<std::uint64_t>(std::hash<T>{}(value));
		}
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using segmented_map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using segmented_set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
